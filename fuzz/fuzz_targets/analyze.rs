//! The bounce decoder on any bytes: never panics, and every finding names a
//! recipient with an `@`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(analysis) = listhygiene::bounce::analyze(data) {
        for finding in &analysis.findings {
            assert!(finding.recipient.contains('@'), "{:?}", finding.recipient);
        }
    }
});
