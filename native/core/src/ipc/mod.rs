//! `ipc`: see ARCHITECTURE.md ("Layers").
