//! `auth`: see ARCHITECTURE.md ("Layers").
