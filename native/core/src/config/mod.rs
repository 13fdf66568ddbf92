//! `config`: see ARCHITECTURE.md ("Layers").
