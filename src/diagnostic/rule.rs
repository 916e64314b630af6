//! Rules as values: the identity and documentation of every check (ID, severity, category,
//! the state rule it mirrors, message and help templates, explanation with a bad and a fixed
//! example), and the template filling that turns a rule and its arguments into a finding's text.

use super::{Category, Severity};

/// Declares a family's rules where they are written: every entry becomes a `pub static`
/// [`Rule`], and the family's `RULES` lists them in the order written (the catalog order).
/// Adding a rule is one entry here plus its cases under `tests/fixtures/rules/<ID>/`; the
/// registry (`rules::all`) lists families, not rules.
///
/// ```
/// use rollcall::diagnostic::{Category, Severity};
/// rollcall::rules! {
///     EXAMPLE {
///         id: "DEMO-EXAMPLE",
///         severity: Severity::Warning,
///         category: Category::Plausibility,
///         state_rule: None,
///         summary: "An example",
///         message: "{what}",
///         help: "nothing to do",
///         explanation: "What a rule declaration looks like, for the documentation of the macro.",
///         bad: "x",
///         good: "y",
///     }
/// }
/// assert_eq!(RULES.len(), 1);
/// assert_eq!(RULES[0].id, "DEMO-EXAMPLE");
/// ```
#[macro_export]
macro_rules! rules {
    ($($(#[$meta:meta])* $name:ident { $($field:ident : $value:expr),* $(,)? })*) => {
        $(
            $(#[$meta])*
            pub static $name: $crate::diagnostic::Rule = $crate::diagnostic::Rule { $($field: $value),* };
        )*
        /// This family's rules, in catalog order.
        pub static RULES: &[&$crate::diagnostic::Rule] = &[$(&$name),*];
    };
}

/// A rule: identity and documentation. The check itself lives beside it in its family file.
#[derive(Debug)]
pub struct Rule {
    /// Stable ID, `FAMILY-NAME` in capitals (`SENR-EXIT-PAIR`). Never reused.
    pub id: &'static str,
    pub severity: Severity,
    pub category: Category,
    /// The CALPADS rule it mirrors (`GERR0001`), if one is known.
    pub state_rule: Option<&'static str>,
    /// One line for `rollcall rules` and the README catalog.
    pub summary: &'static str,
    /// Message template; `{name}` placeholders are filled from the finding's arguments.
    pub message: &'static str,
    /// How to fix it, as a template like `message`.
    pub help: &'static str,
    /// What it checks and why, for `rollcall explain`.
    pub explanation: &'static str,
    /// A record that breaks the rule.
    pub bad: &'static str,
    /// The same record fixed.
    pub good: &'static str,
}

impl PartialEq for Rule {
    fn eq(&self, other: &Rule) -> bool {
        self.id == other.id
    }
}

impl Eq for Rule {}

/// Fills `{name}` placeholders in `template`; unknown names are left as written.
///
/// ```
/// assert_eq!(rollcall::diagnostic::render("{field} is blank", &[("field", "ssid")]), "ssid is blank");
/// ```
pub fn render(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').map(|close| (&after[..close], close)) {
            Some((name, close)) if args.iter().any(|(k, _)| *k == name) => {
                let value = args.iter().find(|(k, _)| *k == name).map_or("", |(_, v)| *v);
                out.push_str(value);
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}
