//! The event contract, as a checker: for tests, fuzzing, and anyone writing a [`StreamDecoder`].
//!
//! [`StreamDecoder`]: super::StreamDecoder

use super::StreamEvent;

/// How a sequence of [`StreamEvent`]s breaks the contract (see the [module docs](super)).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ContractError {
    /// The first event is not `Start`, or a second `Start` came.
    #[error("event {0}: `Start` must come first, and once")]
    Start(usize),
    /// A block opened with an index other than the next one.
    #[error("event {at}: block {index} opened where block {expected} was next")]
    BlockIndex {
        /// The event's position.
        at: usize,
        /// The index it opened.
        index: usize,
        /// The index that was due.
        expected: usize,
    },
    /// A delta or stop for a block that is not open.
    #[error("event {at}: block {index} is not open")]
    NotOpen {
        /// The event's position.
        at: usize,
        /// The block it named.
        index: usize,
    },
    /// `Stop` while blocks were open, or a second `Stop`, or content after it.
    #[error("event {0}: `Stop` must come once, after every block stopped, and be followed by usage only")]
    Stop(usize),
    /// Anything after an `Error`.
    #[error("event {0}: nothing may follow `Error`")]
    AfterError(usize),
}

/// Checks that `events` follow the stream event contract.
///
/// ```
/// use aether_core::stream::{Block, Delta, StreamEvent, check};
///
/// let events = [
///     StreamEvent::Start { id: "1".into(), model: "m".into(), created: None },
///     StreamEvent::BlockStart { index: 0, block: Block::Text },
///     StreamEvent::Delta { index: 0, delta: Delta::Text("Hi".into()) },
/// ];
/// assert!(check(&events).is_ok());
/// assert!(check(&events[1..]).is_err()); // no Start
/// ```
pub fn check(events: &[StreamEvent]) -> Result<(), ContractError> {
    let mut open = Vec::new();
    let mut next = 0;
    let mut stopped = false;
    for (at, event) in events.iter().enumerate() {
        if at > 0 && matches!(events[at - 1], StreamEvent::Error(_)) {
            return Err(ContractError::AfterError(at));
        }
        match event {
            StreamEvent::Start { .. } if at == 0 => {}
            _ if at == 0 => return Err(ContractError::Start(at)),
            StreamEvent::Start { .. } => return Err(ContractError::Start(at)),
            StreamEvent::BlockStart { index, .. } => {
                if stopped {
                    return Err(ContractError::Stop(at));
                }
                if *index != next {
                    return Err(ContractError::BlockIndex { at, index: *index, expected: next });
                }
                open.push(*index);
                next += 1;
            }
            StreamEvent::Delta { index, .. } if !open.contains(index) => {
                return Err(ContractError::NotOpen { at, index: *index });
            }
            StreamEvent::Delta { .. } => {}
            StreamEvent::BlockStop { index } => {
                let Some(position) = open.iter().position(|i| i == index) else {
                    return Err(ContractError::NotOpen { at, index: *index });
                };
                open.remove(position);
            }
            StreamEvent::Stop { .. } if stopped || !open.is_empty() => return Err(ContractError::Stop(at)),
            StreamEvent::Stop { .. } => stopped = true,
            StreamEvent::Usage(_) | StreamEvent::Error(_) => {}
        }
    }
    Ok(())
}
