//! The vocabulary of school data that every layer shares: dates and academic years
//! ([`date`]), the codes a student record is keyed by ([`codes`]), the district's attendance
//! calendar ([`calendar`]), attendance categories and local codes ([`attendance`]),
//! enrollments ([`enrollment`]) and the school directory ([`directory`]). Nothing here knows about
//! files, rules or reports.

pub mod attendance;
pub mod calendar;
pub mod codes;
pub mod date;
pub mod directory;
pub mod enrollment;
