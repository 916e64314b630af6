//! The reading thread's share of a check: for every record of a batch, its layout form
//! (compiled once per record type, year and upload or download form), whether its field count
//! fits, the encoding check and the field rules. None of it needs the checking thread's state,
//! so it runs beside it on the second core; the checking thread then runs the record rules
//! and gathers the whole-run keys with the values parsed here.

use std::sync::Arc;

use chrono::NaiveDate;
use csv::ByteRecord;

use super::encoding_finding;
use crate::diagnostic::{Finding, RuleSet};
use crate::domain::date::AcademicYear;
use crate::error::{Error, SchemaError};
use crate::rules::{field, Compiled, Parsed, RecordCtx};
use crate::schema::{names, Schema};
use crate::source::Batch;

/// A record's layout form, as the reading thread found it.
#[derive(Debug)]
pub(crate) struct LayoutForm<'s> {
    /// Index of the layout in the schema, and whether the record is a download (`-R`) form.
    pub layout: usize,
    pub download: bool,
    /// The year the record names, when it can be read.
    pub record_year: Option<AcademicYear>,
    /// The year it is read with (its own, else its file's, else today's).
    pub year: AcademicYear,
    pub compiled: Arc<Compiled<'s>>,
    /// Whether the field count is the layout's (field rules ran only then).
    pub fits: bool,
    /// The record has one empty field more than its layout (an export that ends every line
    /// with a delimiter): it fits without it, and the file gets one finding for all of them.
    pub trailing: bool,
}

/// A record type's layout in the schema and whether it is a download form (`None`: no layout).
type LayoutOf = Option<(usize, bool)>;

/// A layout form without its compiled layout.
#[derive(Debug, Clone, Copy)]
struct FormKey {
    layout: usize,
    download: bool,
    record_year: Option<AcademicYear>,
    year: AcademicYear,
    fits: bool,
    trailing: bool,
}

/// What the reading thread worked out for one record.
#[derive(Debug, Default)]
pub(crate) struct Prepared<'s> {
    /// `None`: the first field is no record type of the schema.
    pub form: Option<LayoutForm<'s>>,
    /// The values the field rules parsed (empty unless the field count fits).
    pub values: Vec<Parsed>,
    /// Encoding and field findings, in that order.
    pub findings: Vec<Finding>,
}

/// The reading thread's state: the compiled layouts (kept across files) and the year of the
/// file being read.
pub(crate) struct Prepare<'s> {
    schema: &'s Schema,
    rules: RuleSet,
    /// Per layout: where academic_year_id sits in every year's form of it.
    year_pos: Vec<Option<usize>>,
    cache: Vec<Arc<Compiled<'s>>>,
    /// The first year a record of the current file named (for records whose own is unreadable).
    file_year: Option<AcademicYear>,
    /// The last record type seen and its layout (a file's records are mostly of one type).
    last_type: Option<(Vec<u8>, LayoutOf)>,
    /// The record type of every record of the current source, when its records do not hold
    /// it ([`crate::source::RecordSource::record_type`]): its layout.
    fixed_type: Option<LayoutOf>,
    /// The year of records that name none, in a file whose records name none (`as_of`'s).
    today: AcademicYear,
    /// The last compiled form asked for and its index in the cache (a file's records are
    /// mostly of one form).
    last_form: Option<(usize, bool, bool, AcademicYear, usize)>,
}

impl<'s> Prepare<'s> {
    pub(crate) fn new(schema: &'s Schema, as_of: NaiveDate, rules: RuleSet) -> Prepare<'s> {
        let year_pos = schema.layouts.iter().map(|l| l.stable_position(names::ACADEMIC_YEAR_ID)).collect();
        Prepare {
            schema,
            rules,
            year_pos,
            cache: Vec::new(),
            file_year: None,
            last_type: None,
            fixed_type: None,
            today: AcademicYear::containing(as_of),
            last_form: None,
        }
    }

    /// Starts a new input file; `record_type` is the record type of all its records when they
    /// do not hold it.
    pub(crate) fn start_file(&mut self, record_type: Option<&[u8]>) {
        self.file_year = None;
        self.fixed_type = record_type.map(|t| self.schema.layout(t));
    }

    /// The year a record names in its academic_year_id, when it can be read (`without_type`:
    /// the record holds no record type field).
    pub(crate) fn year_of(&self, rec: &ByteRecord, layout: usize, without_type: bool) -> Option<AcademicYear> {
        let at = crate::schema::record_index(self.year_pos[layout]?, without_type)?;
        AcademicYear::parse(rec.get(at)?)
    }

    /// The compiled layout for a record type spelling and year, compiled on first use (its
    /// index in the cache).
    fn compiled(&mut self, layout: usize, download: bool, without_type: bool, year: AcademicYear) -> Result<usize, Error> {
        let key = (layout, download, without_type, year);
        match self.last_form {
            Some((l, d, w, y, i)) if (l, d, w, y) == key => return Ok(i),
            _ => {}
        }
        let i = self.find_or_compile(layout, download, without_type, year)?;
        self.last_form = Some((layout, download, without_type, year, i));
        Ok(i)
    }

    fn find_or_compile(&mut self, layout: usize, download: bool, without_type: bool, year: AcademicYear) -> Result<usize, Error> {
        if let Some(i) = self.cache.iter().position(|c| {
            std::ptr::eq(c.layout, &self.schema.layouts[layout]) && c.download == download && c.without_type == without_type && c.year == year
        }) {
            return Ok(i);
        }
        let schema = self.schema;
        let mut c = Compiled::new(schema, &schema.layouts[layout], year, download, without_type, &self.rules).map_err(|m| {
            let message = format!("the {} layout has no field `{}` in {year}, which its record rules need", m.record_type, m.field);
            let help = Some("add the field to the layout file, with the name used in calpads-layouts.md".to_owned());
            SchemaError::error(&format!("{} layout ({})", m.record_type, schema.origin), "", message, None, help)
        })?;
        c.id = self.cache.len();
        self.cache.push(Arc::new(c));
        Ok(self.cache.len() - 1)
    }

    /// Works out the layout form of every record of a batch (the light part, on the reading
    /// thread, in input order).
    pub(crate) fn forms(&mut self, batch: &mut Batch<Prepared<'s>>) -> Result<(), Error> {
        let n = batch.records.len();
        if batch.prepared.len() < n {
            batch.prepared.resize_with(n, Prepared::default);
        }
        for (i, (rec, _)) in batch.records.records().iter().enumerate() {
            let out = &mut batch.prepared[i];
            out.values.clear();
            out.findings.clear();
            match self.form(rec)? {
                None => out.form = None,
                // A recycled slot that already holds this compiled form keeps its reference:
                // no reference count touched per record (the count shares a cache line with
                // the layout the checking thread reads).
                Some((f, c)) => match &mut out.form {
                    Some(old) if Arc::ptr_eq(&old.compiled, &self.cache[c]) => {
                        (old.layout, old.download, old.record_year, old.year, old.fits, old.trailing) =
                            (f.layout, f.download, f.record_year, f.year, f.fits, f.trailing);
                    }
                    _ => {
                        let compiled = Arc::clone(&self.cache[c]);
                        out.form = Some(LayoutForm {
                            layout: f.layout,
                            download: f.download,
                            record_year: f.record_year,
                            year: f.year,
                            compiled,
                            fits: f.fits,
                            trailing: f.trailing,
                        });
                    }
                },
            }
        }
        Ok(())
    }

    fn form(&mut self, rec: &ByteRecord) -> Result<Option<(FormKey, usize)>, Error> {
        let without_type = self.fixed_type.is_some();
        let found = match &self.fixed_type {
            Some(found) => *found,
            None => {
                let record_type = rec.get(0).unwrap_or_default();
                match &self.last_type {
                    Some((t, found)) if t.as_slice() == record_type => *found,
                    _ => {
                        let found = self.schema.layout(record_type);
                        self.last_type = Some((record_type.to_vec(), found));
                        found
                    }
                }
            }
        };
        let Some((layout, download)) = found else { return Ok(None) };
        let record_year = self.year_of(rec, layout, without_type);
        let year = record_year.or(self.file_year).unwrap_or(self.today);
        let compiled = self.compiled(layout, download, without_type, year)?;
        let n = self.cache[compiled].fields.len();
        let trailing = rec.len() == n + 1 && rec.get(n).is_some_and(<[u8]>::is_empty);
        let fits = rec.len() == n || trailing;
        if fits && self.file_year.is_none() {
            self.file_year = record_year;
        }
        Ok(Some((FormKey { layout, download, record_year, year, fits, trailing }, compiled)))
    }
}

/// The heavy part of the preparation: the encoding check and the field rules of every record
/// whose field count fits. It needs nothing that changes while records stream, so either
/// thread may run it.
pub(crate) struct Fields<'p, 's> {
    schema: &'s Schema,
    as_of: NaiveDate,
    rules: &'p RuleSet,
}

impl<'p, 's> Fields<'p, 's> {
    pub(crate) fn new(schema: &'s Schema, as_of: NaiveDate, rules: &'p RuleSet) -> Fields<'p, 's> {
        Fields { schema, as_of, rules }
    }

    /// Runs the encoding check and the field rules on every fitting record of `batch`.
    pub(crate) fn run(&self, file: usize, batch: &mut Batch<Prepared<'s>>) {
        let mut dates = field::DateCache::default();
        for ((rec, pos), out) in batch.records.records().iter().zip(batch.prepared.iter_mut()) {
            let Some(form) = out.form.as_ref().filter(|f| f.fits) else { continue };
            let ctx = RecordCtx {
                file,
                line: pos.line,
                byte: pos.byte,
                record: rec,
                compiled: &form.compiled,
                values: &[],
                as_of: self.as_of,
                schema: self.schema,
                rules: self.rules,
            };
            // (ASCII, the usual case, is told word by word; UTF-8 is then checked properly.)
            if let Err(e) = if rec.as_slice().is_ascii() { Ok("") } else { std::str::from_utf8(rec.as_slice()) } {
                out.findings.push(encoding_finding(&ctx, rec, e.valid_up_to()));
            }
            field::check(&ctx, &mut out.values, &mut out.findings, &mut dates);
        }
    }
}
