//! `convert`: see ARCHITECTURE.md ("Layers").
