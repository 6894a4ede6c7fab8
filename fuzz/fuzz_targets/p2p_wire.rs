//! Fuzzes the p2p-media-loader 2.x wire protocol (src/p2p/): the input as a command
//! body through `Command::decode_body` (and the value readers of wire.rs), and as a
//! run of data-channel messages (`tubeswarm_fuzz::records`) through a `Reassembler`
//! (framing.rs); and the input's bytes through `frame_command` and `data_chunks`.
//!
//! Invariants: nothing panics; a decoded command encodes to a body that decodes to
//! the same command (an announcement: to a fixpoint after one round, as encoding
//! groups ids by their high bytes and caps their number); a body framed for any
//! message size is put back together by a `Reassembler` into its command; a message
//! that is not a command chunk comes out of a `Reassembler` as data, unchanged;
//! `data_chunks` loses nothing and makes messages of at most the size asked that
//! are never taken for commands.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tubeswarm::p2p::{data_chunks, frame_command, is_command_chunk, Command, Decoded, Reassembler, Received};

fuzz_target!(|data: &[u8]| {
    let decoded = Command::decode_body(data);
    if let Ok(Decoded::Command(command)) = &decoded {
        let again = round_trip(command);
        match command {
            Command::SegmentsAnnouncement { .. } => assert_eq!(round_trip(&again), again),
            _ => assert_eq!(&again, command),
        }
    }

    // The whole input framed for a message size taken from its first bytes.
    let max_message_size = usize::from(u16::from_le_bytes([data.first().copied().unwrap_or(0), data.get(1).copied().unwrap_or(0)]));
    if !data.is_empty() {
        let messages = frame_command(data, max_message_size);
        let mut reassembler = Reassembler::new();
        let (last, firsts) = messages.split_last().expect("at least one message");
        for message in firsts {
            assert_eq!(reassembler.receive(message.clone()), None);
        }
        let expected = match &decoded {
            Ok(Decoded::Command(command)) => Some(Received::Command(command.clone())),
            _ => None,
        };
        assert_eq!(reassembler.receive(last.clone()), expected);
        assert!(!reassembler.is_assembling());
    }

    let chunks: Vec<&[u8]> = data_chunks(data, max_message_size).collect();
    assert_eq!(chunks.concat(), data);
    for chunk in chunks {
        assert!(!chunk.is_empty() && chunk.len() <= max_message_size.max(1));
        assert!(!is_command_chunk(chunk));
    }

    // The input as messages, with a small limit so that oversized commands happen.
    let mut reassembler = Reassembler::new().with_max_command_size(1024);
    for message in tubeswarm_fuzz::records(data) {
        match reassembler.receive(message.to_vec()) {
            Some(Received::Data(bytes)) => assert_eq!(bytes, message),
            Some(Received::Command(command)) => {
                assert!(is_command_chunk(message));
                round_trip(&command);
            }
            None => assert!(is_command_chunk(message)),
        }
    }
});

/// The command `command`'s own encoding decodes to.
fn round_trip(command: &Command) -> Command {
    match Command::decode_body(&command.encode_body()) {
        Ok(Decoded::Command(c)) => c,
        other => panic!("{command:?} encodes to a body that decodes to {other:?}"),
    }
}
