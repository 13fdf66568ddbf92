//! `rpc`: see ARCHITECTURE.md ("Layers").
