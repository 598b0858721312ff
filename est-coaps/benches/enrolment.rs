//! Placeholder, replaced by the enrolment benchmark.
fn main() {}
