//! `haipedia` binary: see [`haipedia::cli`].

fn main() {
    std::process::exit(haipedia::cli::run());
}
