//! Typed playlist errors that name the line at fault.

/// Why a playlist could not be used. `line` is 1-based; 0 means "the whole file".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("playlist error at line {line}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl ParseError {
    pub fn new(line: usize, message: impl Into<String>) -> Self {
        ParseError { line, message: message.into() }
    }
}
