//! Finding line ends (CR or LF), in blocks of bytes tested at once: chunks are often short, and a
//! `memchr2` call costs more than the search.
//!
//! The decoder searches each chunk as it is fed, before its copy in the buffer (loading bytes that the
//! copy has only just stored waits on those stores): most chunks hold no line end, and the one found
//! first is where the next line ends.

/// Bytes tested together: a block folds to a few vector instructions, without `unsafe` or target
/// features.
const LANES: usize = 16;

/// Whether `block` holds a CR or LF. Folds rather than `any`, one per byte sought, so that each
/// compiles to a vector compare.
fn block_has_line_end(block: &[u8; LANES]) -> bool {
    let has = |sought: u8| block.iter().fold(false, |hit, &byte| hit | (byte == sought));
    has(b'\n') | has(b'\r')
}

/// Each CR or LF of `block` as a byte `0xFF`, every other byte as 0: one vector compare per byte
/// sought.
fn line_end_mask(block: &[u8; LANES]) -> u128 {
    u128::from_le_bytes(block.map(|byte| if is_line_end(byte) { 0xFF } else { 0 }))
}

fn is_line_end(byte: u8) -> bool {
    byte == b'\n' || byte == b'\r'
}

/// Where the first CR or LF in `bytes` is: block by block, then within the block that holds it.
pub(super) fn find_line_end(bytes: &[u8]) -> Option<usize> {
    let (blocks, tail) = bytes.as_chunks::<LANES>();
    for (i, block) in blocks.iter().enumerate() {
        if block_has_line_end(block) {
            return Some(i * LANES + first_line_end(block, 0));
        }
    }
    let tail_start = bytes.len() - tail.len();
    match bytes.last_chunk::<LANES>() {
        _ if tail.is_empty() => None,
        Some(last) if block_has_line_end(last) => Some(tail_start + first_line_end(last, LANES - tail.len())),
        Some(_) => None,
        None => tail.iter().position(|&byte| is_line_end(byte)),
    }
}

/// Where the first CR or LF in `block` past its first `skip` bytes is, counted from `skip`; `LANES - skip`
/// if there is none.
fn first_line_end(block: &[u8; LANES], skip: usize) -> usize {
    (line_end_mask(block) >> (8 * skip)).trailing_zeros() as usize / 8
}

#[cfg(test)]
mod tests {
    use super::find_line_end;

    #[test]
    fn finds_the_first_line_end_in_bytes_of_any_length_wherever_it_is() {
        for len in 0..70 {
            let plain = vec![b'x'; len];
            assert_eq!(find_line_end(&plain), None, "len {len}");
            for at in 0..len {
                let mut bytes = plain.clone();
                bytes[at] = if at % 2 == 0 { b'\n' } else { b'\r' };
                bytes[(at + 1..len).nth(at % 3).unwrap_or(at)] = b'\n';
                assert_eq!(find_line_end(&bytes), Some(at), "len {len}, at {at}");
            }
        }
    }
}
