//! Fuzzes the XML importers: format detection and every parser, on input that starts like XML.
//! Seed it with the XML reports of `tests/data/corpus` (see `fuzz/README.md`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ward_formats::{Input, PARSERS};

fuzz_target!(|data: &[u8]| {
    let start = data.iter().position(|b| !b.is_ascii_whitespace());
    if start.map(|i| data[i]) != Some(b'<') {
        return;
    }
    let _ = ward_formats::import(data, None);
    let input = Input::new(data);
    for parser in PARSERS {
        let _ = parser.detect(&input);
        let _ = parser.parse(&input);
    }
});
