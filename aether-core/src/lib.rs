//! placeholder, rewritten at the end
pub mod error;
pub mod format;
pub mod ir;
pub mod passthrough;
pub mod protocol;
pub mod translate;
pub mod usage;

pub use error::{ApiError, ErrorKind, TranslateError};
pub use format::{Family, WireFormat};
pub use usage::Usage;
