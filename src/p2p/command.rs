//! Peer commands and their body encoding (PROTOCOL.md §3.3 and §3.5).
//!
//! `body = [command code] ( [field name: 1 ASCII byte] [value] )*`. Encoding
//! writes the fields in p2pml's order, so our bytes equal p2pml's for every
//! command p2pml can itself encode correctly. Decoding accepts fields in any
//! order, keeps the last of a repeated name (p2pml stores fields in a JS object),
//! skips unknown names and reports an unknown command code as
//! [`Decoded::Unknown`], which the caller ignores without dropping the peer.
//!
//! All numbers are `i64`: ids can be live media sequence numbers, and the wire
//! Int is signed. p2pml turns them into JS numbers, which are exact up to 2^53.

use super::framing;
use super::wire::{self, Value};

/// Code of [`Command::SegmentsAnnouncement`].
pub const CODE_SEGMENTS_ANNOUNCEMENT: u8 = 0;
/// Code of [`Command::SegmentRequest`].
pub const CODE_SEGMENT_REQUEST: u8 = 1;
/// Code of [`Command::SegmentData`].
pub const CODE_SEGMENT_DATA: u8 = 2;
/// Code of [`Command::SegmentDataSendingCompleted`].
pub const CODE_SEGMENT_DATA_SENDING_COMPLETED: u8 = 3;
/// Code of [`Command::SegmentAbsent`].
pub const CODE_SEGMENT_ABSENT: u8 = 4;
/// Code of [`Command::CancelSegmentRequest`].
pub const CODE_CANCEL_SEGMENT_REQUEST: u8 = 5;

const FIELD_LOADED: u8 = b'l';
const FIELD_LOADING: u8 = b'p';
const FIELD_ID: u8 = b'i';
const FIELD_REQUEST_ID: u8 = b'r';
const FIELD_SIZE: u8 = b's';
const FIELD_BYTE_FROM: u8 = b'b';

/// One command of the p2p-media-loader 2.x peer protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Code 0: a full snapshot of what the sender holds (`l`) and is fetching
    /// over HTTP (`p`), in the sender's order. An empty list is not sent.
    SegmentsAnnouncement { loaded: Vec<i64>, loading: Vec<i64> },
    /// Code 1: "send me segment `id`", from byte `byte_from` on when resuming.
    /// `b` is only sent when non-zero, so `Some(0)` encodes like `None` and
    /// decoding a `b` of 0 gives `None`.
    SegmentRequest { id: i64, request_id: i64, byte_from: Option<i64> },
    /// Code 2: header of a transfer; `size` bytes of data messages follow.
    SegmentData { id: i64, request_id: i64, size: i64 },
    /// Code 3: the transfer announced by SegmentData is complete.
    SegmentDataSendingCompleted { id: i64, request_id: i64 },
    /// Code 4: the sender does not have the segment.
    SegmentAbsent { id: i64, request_id: i64 },
    /// Code 5: stop the upload with this request id.
    CancelSegmentRequest { id: i64, request_id: i64 },
}

/// What a command body decodes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// A command this implementation knows.
    Command(Command),
    /// A well-formed body with a command code we do not know (a newer peer):
    /// ignore it, keep the connection.
    Unknown { code: u8 },
}

/// Why a command body could not be decoded. p2pml ignores such a command and
/// keeps the connection; so should callers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("empty command body")]
    Empty,
    #[error("command body ends inside a value")]
    Truncated,
    #[error("unknown value type {0}")]
    UnknownValueType(u8),
    #[error("value of the wrong type")]
    WrongValueType,
    #[error("number out of the 64-bit range")]
    OutOfRange,
    #[error("required field '{}' missing", *.0 as char)]
    MissingField(u8),
    #[error("field '{}' has the wrong type", *.0 as char)]
    WrongFieldType(u8),
}

impl Command {
    /// The command code (byte 0 of the body).
    pub fn code(&self) -> u8 {
        match self {
            Command::SegmentsAnnouncement { .. } => CODE_SEGMENTS_ANNOUNCEMENT,
            Command::SegmentRequest { .. } => CODE_SEGMENT_REQUEST,
            Command::SegmentData { .. } => CODE_SEGMENT_DATA,
            Command::SegmentDataSendingCompleted { .. } => CODE_SEGMENT_DATA_SENDING_COMPLETED,
            Command::SegmentAbsent { .. } => CODE_SEGMENT_ABSENT,
            Command::CancelSegmentRequest { .. } => CODE_CANCEL_SEGMENT_REQUEST,
        }
    }

    /// The unframed body, fields in p2pml's send order (§3.5).
    pub fn encode_body(&self) -> Vec<u8> {
        let mut out = vec![self.code()];
        let int = |out: &mut Vec<u8>, name: u8, v: i64| {
            out.push(name);
            wire::put_int(out, v);
        };
        match self {
            Command::SegmentsAnnouncement { loaded, loading } => {
                for (name, list) in [(FIELD_LOADED, loaded), (FIELD_LOADING, loading)] {
                    if !list.is_empty() {
                        out.push(name);
                        wire::put_similar_int_array(&mut out, list);
                    }
                }
            }
            Command::SegmentRequest { id, request_id, byte_from } => {
                int(&mut out, FIELD_ID, *id);
                int(&mut out, FIELD_REQUEST_ID, *request_id);
                if let Some(b) = byte_from.filter(|b| *b != 0) {
                    int(&mut out, FIELD_BYTE_FROM, b);
                }
            }
            Command::SegmentData { id, request_id, size } => {
                int(&mut out, FIELD_ID, *id);
                int(&mut out, FIELD_SIZE, *size);
                int(&mut out, FIELD_REQUEST_ID, *request_id);
            }
            Command::SegmentDataSendingCompleted { id, request_id }
            | Command::SegmentAbsent { id, request_id }
            | Command::CancelSegmentRequest { id, request_id } => {
                int(&mut out, FIELD_ID, *id);
                int(&mut out, FIELD_REQUEST_ID, *request_id);
            }
        }
        out
    }

    /// The framed data-channel messages for this command, split for a
    /// maximum message size (see [`framing::frame_command`]).
    pub fn encode(&self, max_message_size: usize) -> Vec<Vec<u8>> {
        framing::frame_command(&self.encode_body(), max_message_size)
    }

    /// Decodes an unframed body.
    pub fn decode_body(body: &[u8]) -> Result<Decoded, DecodeError> {
        let (&code, mut rest) = body.split_first().ok_or(DecodeError::Empty)?;
        let mut fields: Vec<(u8, Value)> = Vec::new();
        while let Some((&name, after_name)) = rest.split_first() {
            let (value, used) = wire::read_value(after_name)?;
            rest = &after_name[used..];
            match fields.iter_mut().find(|(n, _)| *n == name) {
                Some(slot) => slot.1 = value,
                None => fields.push((name, value)),
            }
        }
        let fields = Fields(fields);
        let command = match code {
            CODE_SEGMENTS_ANNOUNCEMENT => Command::SegmentsAnnouncement {
                loaded: fields.array(FIELD_LOADED)?,
                loading: fields.array(FIELD_LOADING)?,
            },
            CODE_SEGMENT_REQUEST => Command::SegmentRequest {
                id: fields.required_int(FIELD_ID)?,
                request_id: fields.required_int(FIELD_REQUEST_ID)?,
                byte_from: fields.int(FIELD_BYTE_FROM)?.filter(|b| *b != 0),
            },
            CODE_SEGMENT_DATA => Command::SegmentData {
                id: fields.required_int(FIELD_ID)?,
                request_id: fields.required_int(FIELD_REQUEST_ID)?,
                size: fields.required_int(FIELD_SIZE)?,
            },
            CODE_SEGMENT_DATA_SENDING_COMPLETED..=CODE_CANCEL_SEGMENT_REQUEST => {
                let id = fields.required_int(FIELD_ID)?;
                let request_id = fields.required_int(FIELD_REQUEST_ID)?;
                match code {
                    CODE_SEGMENT_DATA_SENDING_COMPLETED => Command::SegmentDataSendingCompleted { id, request_id },
                    CODE_SEGMENT_ABSENT => Command::SegmentAbsent { id, request_id },
                    _ => Command::CancelSegmentRequest { id, request_id },
                }
            }
            code => return Ok(Decoded::Unknown { code }),
        };
        Ok(Decoded::Command(command))
    }
}

struct Fields(Vec<(u8, Value)>);

impl Fields {
    fn get(&self, name: u8) -> Option<&Value> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    fn int(&self, name: u8) -> Result<Option<i64>, DecodeError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Int(v)) => i64::try_from(*v).map(Some).map_err(|_| DecodeError::OutOfRange),
            Some(_) => Err(DecodeError::WrongFieldType(name)),
        }
    }

    fn required_int(&self, name: u8) -> Result<i64, DecodeError> {
        self.int(name)?.ok_or(DecodeError::MissingField(name))
    }

    fn array(&self, name: u8) -> Result<Vec<i64>, DecodeError> {
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(Value::IntArray(v)) => Ok(v.clone()),
            Some(_) => Err(DecodeError::WrongFieldType(name)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        super::super::hex_decode(s).unwrap()
    }

    fn decode(h: &str) -> Command {
        match Command::decode_body(&hex(h)).unwrap() {
            Decoded::Command(c) => c,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn field_order_on_encode() {
        let c = Command::SegmentData { id: 4, request_id: 467, size: 658467 };
        assert_eq!(c.encode_body(), hex("02 6901 04 7303 0a0c23 7202 01d3"));
        let c = Command::SegmentRequest { id: 42, request_id: 216, byte_from: Some(131070) };
        assert_eq!(c.encode_body(), hex("01 6901 2a 7202 00d8 6203 01fffe"));
        let c = Command::SegmentRequest { id: 42, request_id: 216, byte_from: Some(0) };
        assert_eq!(c.encode_body(), hex("01 6901 2a 7202 00d8"));
        let empty = Command::SegmentsAnnouncement { loaded: vec![], loading: vec![] };
        assert_eq!(empty.encode_body(), vec![0]);
        let only_p = Command::SegmentsAnnouncement { loaded: vec![], loading: vec![3] };
        assert_eq!(only_p.encode_body(), hex("00 70 1001 0101 03"));
    }

    #[test]
    fn any_field_order_and_unknown_fields_on_decode() {
        // SegmentData with r, s, i reversed plus an unknown Int 'z', an unknown
        // array 'q' and an unknown String 'n'.
        let c = decode("02 7a0105 7202 01d3 71 1001 0101 09 6e 2002 6869 7303 0a0c23 6901 04");
        assert_eq!(c, Command::SegmentData { id: 4, request_id: 467, size: 658467 });
        // The last of a repeated field wins (p2pml keeps fields in a JS object).
        assert_eq!(decode("03 6901 01 7201 02 6901 07"), Command::SegmentDataSendingCompleted { id: 7, request_id: 2 });
        // b = 0 means "from the start".
        assert_eq!(
            decode("01 6901 01 7201 02 6201 00"),
            Command::SegmentRequest { id: 1, request_id: 2, byte_from: None }
        );
    }

    #[test]
    fn unknown_code_is_typed_not_an_error() {
        assert_eq!(Command::decode_body(&hex("07 6901 01")), Ok(Decoded::Unknown { code: 7 }));
        assert_eq!(Command::decode_body(&[0xff]), Ok(Decoded::Unknown { code: 255 }));
    }

    #[test]
    fn malformed_bodies_are_errors() {
        assert_eq!(Command::decode_body(&[]), Err(DecodeError::Empty));
        assert_eq!(Command::decode_body(&hex("01 6901 01")), Err(DecodeError::MissingField(b'r')));
        assert_eq!(Command::decode_body(&hex("01 69")), Err(DecodeError::Truncated));
        assert_eq!(Command::decode_body(&hex("01 6902 01")), Err(DecodeError::Truncated));
        assert_eq!(Command::decode_body(&hex("01 6930 01")), Err(DecodeError::UnknownValueType(3)));
        assert_eq!(Command::decode_body(&hex("00 6c 0101")), Err(DecodeError::WrongFieldType(b'l')));
        assert_eq!(Command::decode_body(&hex("01 69 1001 0101 01 7201 01")), Err(DecodeError::WrongFieldType(b'i')));
        // A 10-byte Int does not fit i64.
        assert_eq!(Command::decode_body(&hex("04 690a 01000000000000000000 7201 01")), Err(DecodeError::OutOfRange));
    }

    #[test]
    fn large_and_negative_numbers() {
        for id in [i64::MIN, -1, 0, 1 << 31, (1 << 53) - 1, i64::MAX] {
            for c in [
                Command::SegmentAbsent { id, request_id: 999 },
                Command::SegmentData { id, request_id: -5, size: id },
                Command::SegmentsAnnouncement { loaded: vec![id, id.wrapping_add(1)], loading: vec![id] },
            ] {
                assert_eq!(Command::decode_body(&c.encode_body()), Ok(Decoded::Command(c.clone())));
            }
        }
    }
}
