//! Encoding then decoding gives the events back.
