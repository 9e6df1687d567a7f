//! Hand-built event sequences encode to exact Gemini chunks.
