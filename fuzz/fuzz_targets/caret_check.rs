//! `rollcall check` on one file of arbitrary bytes: the input sniffing (CALPADS, calendar,
//! daily attendance, something else), the CALPADS reader, every record, within-file and
//! identity rule with the embedded schema and the census rules on; then the findings through
//! the human, JSON, worklist and SARIF reports, as the binary prints them.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use rollcall::diagnostic::{Finding, Sink};
use rollcall::engine::{Checker, Options};
use rollcall::report::human::{HumanReport, Style};
use rollcall::report::json::JsonReport;

fuzz_target!(|data: &[u8]| {
    let inputs = [common::input(common::write("input.txt", data))];
    let mut options = Options::new(common::as_of());
    options.census = true;
    let mut checker = Checker::new(&common::SCHEMA, &inputs, options);
    let mut findings: Vec<Finding> = Vec::new();
    let Ok(totals) = checker.run(&mut findings) else { return };
    // The reports, as `rollcall check --format human|json|csv|sarif` write them, with two
    // findings of each rule (rendering is most of the cost, and the rules' variety is kept).
    let mut per_rule = std::collections::BTreeMap::<&str, u8>::new();
    findings.retain(|f| {
        let n = per_rule.entry(f.rule.id).or_default();
        *n = n.saturating_add(1);
        *n <= 2
    });
    let mut human = HumanReport::new(&inputs, Style { color: false, width: 60, max_per_rule: Some(20) });
    let mut sink = std::io::sink();
    let mut json = JsonReport::new(&mut sink, &inputs);
    for f in &findings {
        human.finding(f.clone()).expect("human report");
        json.finding(f.clone()).expect("json report");
    }
    json.finish(&totals, 0).expect("json summary");
    let tally = human.tally.clone();
    human.finish(&mut std::io::sink(), &totals).expect("human report");
    let run = rollcall::report::Run {
        command: "rollcall check input.txt".to_owned(),
        as_of: common::as_of(),
        inputs: &inputs,
        findings: &findings,
        totals: &totals,
        tally: &tally,
    };
    rollcall::report::worklist::table(&run).csv(rollcall::report::csv::Framing::Plain).expect("worklist");
    rollcall::report::sarif::findings(&run).expect("sarif");
    let _ = rollcall::report::html::findings(&run);
});
