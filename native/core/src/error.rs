//! Error codes shared by every module of the core.
//!
//! Each module has its own `thiserror` enum; every such enum implements [`Coded`] so that the
//! addon can hand JavaScript a stable `err.code` (`ERR_UPPER_SNAKE`) next to the message.

/// An error with a stable, machine-readable code (`ERR_UPPER_SNAKE`).
pub trait Coded: std::error::Error {
    /// The stable code, for example `ERR_NODE_DISCONNECTED`.
    fn code(&self) -> &'static str;
}

/// Returns true when `code` has the `ERR_UPPER_SNAKE` shape every code crossing a boundary must have.
pub fn is_valid_code(code: &str) -> bool {
    code.len() > 4
        && code.starts_with("ERR_")
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_shape() {
        assert!(is_valid_code("ERR_NODE_DISCONNECTED"));
        assert!(!is_valid_code("ERR_"));
        assert!(!is_valid_code("err_x"));
        assert!(!is_valid_code("GenericFailure"));
    }
}
