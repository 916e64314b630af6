//! The `rollcall` binary: parse the command line, run it, turn the outcome into an exit code.
//! All work happens in the library crate; this file only wires standard output to it.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = rollcall::cmd::Cli::parse();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match rollcall::run(cli, &mut out) {
        Ok(code) => code,
        // A reader that stopped early (`rollcall check … | head`) is not an error worth a message.
        Err(rollcall::Error::Write { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(2),
        Err(err) => {
            let _ = out.flush();
            eprint!("{}", rollcall::error::render(err));
            ExitCode::from(2)
        }
    }
}
