//! `appnode`: see ARCHITECTURE.md ("Layers").
