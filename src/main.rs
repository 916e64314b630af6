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
        // A reader that stopped early (`rollcall check … | head`) took what it wanted: not an
        // error, and not "could not run" (exit 2) either.
        Err(rollcall::Error::Write { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            let _ = out.flush();
            eprint!("{}", rollcall::error::render(err));
            ExitCode::from(2)
        }
    }
}
