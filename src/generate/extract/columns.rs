//! Matching extract column headers to layout fields: the mapping file's `[columns]` first,
//! then the field's machine name, then common header spellings of student information
//! systems. Names compare without case, spaces, underscores or punctuation. When a required
//! field has no column, [`closest`] names the header most like it (edit distance).

use crate::diagnostic::distance;

/// Common header spellings (compared normalised) and the field each one means.
const ALIASES: &[(&str, &str)] = &[
    ("ssid", "ssid"),
    ("statestudentid", "ssid"),
    ("studentid", "local_student_id"),
    ("localid", "local_student_id"),
    ("permid", "local_student_id"),
    ("studentnumber", "local_student_id"),
    ("firstname", "student_legal_first_name"),
    ("legalfirstname", "student_legal_first_name"),
    ("middlename", "student_legal_middle_name"),
    ("legalmiddlename", "student_legal_middle_name"),
    ("lastname", "student_legal_last_name"),
    ("legallastname", "student_legal_last_name"),
    ("suffix", "student_legal_name_suffix_code"),
    ("birthdate", "student_birth_date"),
    ("dateofbirth", "student_birth_date"),
    ("dob", "student_birth_date"),
    ("gender", "student_gender_code"),
    ("sex", "student_gender_code"),
    ("birthcity", "student_birth_city"),
    ("birthstate", "student_birth_state_province_code"),
    ("birthcountry", "student_birth_country_code"),
    ("lea", "reporting_lea"),
    ("leacode", "reporting_lea"),
    ("districtcode", "reporting_lea"),
    ("school", "school_of_attendance"),
    ("schoolcode", "school_of_attendance"),
    ("academicyear", "academic_year_id"),
    ("schoolyear", "academic_year_id"),
    ("entrydate", "enrollment_start_date"),
    ("startdate", "enrollment_start_date"),
    ("enrollmentdate", "enrollment_start_date"),
    ("exitdate", "enrollment_exit_date"),
    ("leavedate", "enrollment_exit_date"),
    ("withdrawaldate", "enrollment_exit_date"),
    ("exitcode", "student_exit_reason_code"),
    ("exitreason", "student_exit_reason_code"),
    ("leavecode", "student_exit_reason_code"),
    ("enrollmentstatus", "enrollment_status_code"),
    ("grade", "grade_level_code"),
    ("gradelevel", "grade_level_code"),
    ("completionstatus", "student_school_completion_status"),
    ("hispanic", "student_hispanic_ethnicity_indicator"),
    ("hispaniclatino", "student_hispanic_ethnicity_indicator"),
    ("ethnicitymissing", "student_ethnicity_missing_indicator"),
    ("race1", "student_race_1_code"),
    ("race2", "student_race_2_code"),
    ("race3", "student_race_3_code"),
    ("race4", "student_race_4_code"),
    ("race5", "student_race_5_code"),
    ("racemissing", "student_race_missing_indicator"),
    ("effectivedate", "effective_start_date"),
    ("effectivestartdate", "effective_start_date"),
    ("effectiveenddate", "effective_end_date"),
    ("recordid", "local_record_id"),
    ("transactiontype", "transaction_type_code"),
    ("address", "address_line_1"),
    ("city", "address_city_name"),
    ("zip", "address_zip_code"),
    ("zipcode", "address_zip_code"),
];

/// A header or field name compared loosely: lowercase ASCII letters and digits only.
///
/// ```
/// assert_eq!(rollcall::generate::extract::columns::normalise(" Enrollment Start-Date "), "enrollmentstartdate");
/// ```
pub fn normalise(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// The field `header` names among `fields`: by the mapping's rename, the machine name, or an alias.
pub fn field_for<'f>(header: &str, renamed: Option<&str>, fields: &[&'f str]) -> Option<&'f str> {
    if let Some(target) = renamed {
        return fields.iter().copied().find(|f| *f == target);
    }
    let norm = normalise(header);
    if norm.is_empty() {
        return None;
    }
    fields.iter().copied().find(|f| normalise(f) == norm).or_else(|| {
        let alias = ALIASES.iter().find(|(a, _)| *a == norm)?.1;
        fields.iter().copied().find(|f| *f == alias)
    })
}

/// The candidate most like `target` (fewest edits between normalised names), if any is
/// reasonably close: at most half of the longer name differs.
pub fn closest<'c>(target: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let t = normalise(target);
    let scored = candidates.into_iter().map(|c| {
        let n = normalise(c);
        let alias_distance = ALIASES.iter().filter(|(_, f)| *f == target).map(|(a, _)| distance(a, &n)).min().unwrap_or(usize::MAX);
        (distance(&t, &n).min(alias_distance), t.len().max(n.len()), c)
    });
    scored.filter(|(d, len, _)| *d * 2 <= *len).min_by_key(|(d, _, c)| (*d, *c)).map(|(_, _, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_names_aliases_and_renames() {
        let fields = ["ssid", "grade_level_code", "enrollment_start_date"];
        assert_eq!(field_for("SSID", None, &fields), Some("ssid"));
        assert_eq!(field_for("Grade Level Code", None, &fields), Some("grade_level_code"));
        assert_eq!(field_for("Entry Date", None, &fields), Some("enrollment_start_date"));
        assert_eq!(field_for("Gr", Some("grade_level_code"), &fields), Some("grade_level_code"));
        assert_eq!(field_for("Homeroom", None, &fields), None);
    }

    #[test]
    fn closest_uses_edit_distance() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(closest("enrollment_start_date", ["Enrolment Start", "Homeroom"]), Some("Enrolment Start"));
        assert_eq!(closest("grade_level_code", ["Grd", "Homeroom"]), Some("Grd"));
        assert_eq!(closest("ssid", ["Homeroom Teacher"]), None);
    }
}
