//! The `ace` command.
fn main() {}
