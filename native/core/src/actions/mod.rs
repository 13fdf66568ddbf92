//! `actions`: see ARCHITECTURE.md ("Layers").
