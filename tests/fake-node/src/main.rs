//! Placeholder until the fake node lands (issue 2).
fn main() {
    eprintln!("blvm-fake-node: not built yet");
    std::process::exit(2);
}
