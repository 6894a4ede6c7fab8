//! Fuzzes the player's own JSON (src/json.rs), which reads every tracker message,
//! hash map and API answer: `json::parse` on the input, the writer (`to_json`) on
//! what it read, and the typed field readers (`json::Fields`) on each member.
//!
//! Invariants: nothing panics; what the writer writes reads back as the same value
//! (non-finite numbers aside: they are written as null, as JSON.stringify does) and
//! writes the same text again; whatever serde_json accepts is accepted, unless it is
//! nested deeper than the player's limit; the field readers only give finite numbers,
//! and whole numbers that are the number read.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tubeswarm::json::{parse, Fields, Value};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let value = match parse(text) {
        Ok(value) => value,
        Err(e) => {
            if e.message != "nested too deeply" {
                assert!(serde_json::from_str::<serde_json::Value>(text).is_err(), "serde_json reads what we refuse ({e})");
            }
            return;
        }
    };
    let written = value.to_json();
    let again = parse(&written).unwrap_or_else(|e| panic!("{e} in our own {written:?}"));
    if finite(&value) {
        assert_eq!(again, value);
    }
    assert_eq!(again.to_json(), written);

    if let Ok(fields) = Fields::new(&value, "fuzz") {
        for (key, member) in value.as_object().unwrap_or_default() {
            let _ = (fields.string(key), fields.boolean(key), fields.strings(key), fields.objects(key), fields.object(key, "fuzz.object").map(|o| o.is_some()));
            if let Ok(Some(n)) = fields.number(key) {
                assert!(n.is_finite());
            }
            if let Ok(Some(n)) = fields.whole(key) {
                assert_eq!(fields.raw(key).and_then(Value::as_f64), Some(n as f64), "{member:?}");
            }
        }
    }
});

fn finite(value: &Value) -> bool {
    match value {
        Value::Number(n) => n.is_finite(),
        Value::Array(items) => items.iter().all(finite),
        Value::Object(members) => members.iter().all(|(_, v)| finite(v)),
        _ => true,
    }
}
