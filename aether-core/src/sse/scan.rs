//! Finding every line end (CR or LF) in newly fed bytes, once, in blocks rather than with a
//! `memchr2` call per line: chunks are often short, and the call costs more than the search.
//!
//! The search reads the chunk as it was fed, not its copy in the decoder's buffer: loading bytes that
//! the copy has only just stored waits on those stores (the decoder measured about 10% slower).

use std::collections::VecDeque;

/// Bytes tested together: a block folds to a few vector instructions, without `unsafe` or target
/// features.
const LANES: usize = 16;

/// Appends to `out` the index of every CR and LF in `chunk`, in order, counted from `base` (where the
/// chunk starts in the decoder's buffer).
///
/// A last partial block is tested through the block that ends `chunk`, its bytes before the partial
/// block masked off.
pub(super) fn line_ends(chunk: &[u8], base: usize, out: &mut VecDeque<usize>) {
    let (blocks, tail) = chunk.as_chunks::<LANES>();
    for (i, block) in blocks.iter().enumerate() {
        if has_line_end(block) {
            push_line_ends(block, 0, base + i * LANES, out);
        }
    }
    let tail_start = chunk.len() - tail.len();
    match chunk.last_chunk::<LANES>() {
        _ if tail.is_empty() => {}
        Some(last) if has_line_end(last) => push_line_ends(last, LANES - tail.len(), base + tail_start, out),
        Some(_) => {}
        None => out.extend((0..chunk.len()).filter(|&i| is_line_end(chunk[i])).map(|i| base + i)),
    }
}

/// Whether `block` holds a CR or LF. Folds rather than `any`, one per byte sought, so that each
/// compiles to a vector compare.
fn has_line_end(block: &[u8; LANES]) -> bool {
    let has = |sought: u8| block.iter().fold(false, |hit, &byte| hit | (byte == sought));
    has(b'\n') | has(b'\r')
}

fn is_line_end(byte: u8) -> bool {
    byte == b'\n' || byte == b'\r'
}

/// The high bit of each byte of `block` that is CR or LF, as one little-endian number.
fn line_end_flags(block: &[u8; LANES]) -> u128 {
    let bytes = u128::from_le_bytes(*block);
    zero_bytes(bytes ^ u128::from_ne_bytes([b'\n'; LANES]))
        | zero_bytes(bytes ^ u128::from_ne_bytes([b'\r'; LANES]))
}

/// The high bit of each zero byte of `x`, and no other bit: no carry crosses a byte.
fn zero_bytes(x: u128) -> u128 {
    const LOW7: u128 = u128::from_ne_bytes([0x7F; LANES]);
    !(((x & LOW7) + LOW7) | x | LOW7)
}

/// Appends `base` plus the index of each CR and LF in `block` past its first `skip` bytes. Kept out of
/// the scanning loop, which it would otherwise crowd.
#[inline(never)]
fn push_line_ends(block: &[u8; LANES], skip: usize, base: usize, out: &mut VecDeque<usize>) {
    let mut flags = line_end_flags(block) >> (8 * skip);
    while flags != 0 {
        out.push_back(base + flags.trailing_zeros() as usize / 8);
        flags &= flags - 1;
    }
}

#[cfg(test)]
mod tests {
    use super::line_ends;

    #[test]
    fn finds_every_line_end_in_a_chunk_of_any_length_at_any_base() {
        for len in 0..70 {
            for base in [0, 5, 4096] {
                // Line ends at a spread of places.
                let chunk: Vec<u8> =
                    (0..len).map(|i| [b'\n', b'\r', b'x', b'y', b'\n'][(i * i + len) % 5]).collect();
                let mut got = Default::default();
                line_ends(&chunk, base, &mut got);
                let want: Vec<usize> =
                    (0..len).filter(|&i| matches!(chunk[i], b'\n' | b'\r')).map(|i| base + i).collect();
                assert_eq!(Vec::from(got), want, "len {len}, base {base}");
            }
        }
    }
}
