//! The subscriber list on any bytes: sniff, read, write back. Keeping every
//! row gives the input back byte for byte; keeping every other row gives a file
//! that reads back as exactly the kept rows, field for field.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use listhygiene::list::{ListOptions, normalize_address, parse_list};

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz.csv");
    let opts = ListOptions::default();
    let Ok(list) = parse_list(path, data.to_vec(), &opts) else {
        return;
    };
    assert_eq!(list.cleaned_bytes(|_| true), data);
    // A row's fields, parsed again from its bytes, hold the address it was read with.
    for row in &list.rows {
        assert_eq!(
            normalize_address(&list.email_raw(row)).as_deref(),
            list.email(row)
        );
    }
    let kept: Vec<Vec<String>> = list
        .rows
        .iter()
        .filter(|r| r.index % 2 == 0)
        .map(|r| list.fields(r))
        .collect();
    let half = list.cleaned_bytes(|r| r.index % 2 == 0);
    // The same dialect and columns as the original: only rows were taken out.
    let again_opts = ListOptions {
        delimiter: Some(list.dialect.delimiter),
        encoding: Some(list.dialect.encoding),
        has_header: Some(list.dialect.has_header),
        ..ListOptions::default()
    };
    if let Ok(again) = parse_list(path, half, &again_opts)
        && again.dialect.has_header == list.dialect.has_header
    {
        let fields: Vec<Vec<String>> = again.rows.iter().map(|r| again.fields(r)).collect();
        assert_eq!(fields, kept);
    }
});
