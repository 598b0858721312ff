//! Block1/Block2 option parsing (RFC 7959 §2.2): never panics; what decodes re-encodes to a
//! value that decodes to the same option.
#![no_main]

use coap_block::BlockOption;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(option) = BlockOption::decode(data) {
        assert!(data.len() <= 3);
        assert!(option.num <= BlockOption::MAX_NUM);
        let encoded = option.encode();
        assert!(encoded.as_bytes().len() <= data.len());
        assert_eq!(BlockOption::decode(encoded.as_bytes()), Ok(option));
    }
});
