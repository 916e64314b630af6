//! `rollcall check --layout fixed|tab` on one file of arbitrary bytes: the census layouts'
//! reader (terminators, record kinds, field slicing, counts and control totals) and the
//! excerpts of its findings. The first byte picks the layout (even: fixed, odd: tab).
#![no_main]

#[path = "common/mod.rs"]
mod common;

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use rollcall::diagnostic::Finding;
use rollcall::layout::recheck;
use rollcall::layout::spec::FileLayout;

static LAYOUTS: LazyLock<[FileLayout; 2]> = LazyLock::new(|| {
    let load = |name: &str| rollcall::census::load_layout(name).expect("an embedded census layout");
    [load("fixed"), load("tab")]
});

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else { return };
    let layout = &LAYOUTS[usize::from(pick & 1)];
    let back = rollcall::layout::read_layout(layout, body);
    for r in &back.records {
        for (name, _) in &r.values {
            let _ = r.get(name);
        }
    }
    let inputs = [common::input(common::write("census.txt", body))];
    let mut findings: Vec<Finding> = Vec::new();
    let _ = recheck::check_files(layout, &inputs, &mut findings);
});
