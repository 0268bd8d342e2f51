#ifndef SWITCHBOARD_CICAL_SHIM_H
#define SWITCHBOARD_CICAL_SHIM_H
#include <libical/ical.h>

/* icalerrno is a macro over a thread-local: reach it through functions. */
static inline icalerrorenum CICal_errno(void) { return icalerrno; }
static inline void CICal_clear_errno(void) { icalerror_clear_errno(); }

/* A libical string from a *_r function, freed by the caller with CICal_free. */
static inline void CICal_free(char *buffer) { icalmemory_free_buffer(buffer); }

/* An icaltimetype built field by field (Swift cannot name the struct's zone pointer type portably). */
static inline struct icaltimetype CICal_time(int year, int month, int day, int hour, int minute, int second, int isDate) {
    struct icaltimetype t = icaltime_null_time();
    t.year = year; t.month = month; t.day = day;
    t.hour = isDate ? 0 : hour; t.minute = isDate ? 0 : minute; t.second = isDate ? 0 : second;
    t.is_date = isDate ? 1 : 0;
    return t;
}
/* The same instant marked UTC ("Z"). */
static inline struct icaltimetype CICal_utc_time(int year, int month, int day, int hour, int minute, int second) {
    struct icaltimetype t = CICal_time(year, month, day, hour, minute, second, 0);
    t.zone = icaltimezone_get_utc_timezone();
    return t;
}
static inline int CICal_time_is_utc(struct icaltimetype t) { return icaltime_is_utc(t); }
static inline int CICal_time_is_null(struct icaltimetype t) { return icaltime_is_null_time(t); }
/* A rule's UNTIL removed (the expander applies it itself, in UTC or in wall time). */
static inline void CICal_recur_clear_until(struct icalrecurrencetype *r) { r->until = icaltime_null_time(); }
/* For the expander's own walk of plain DAILY and WEEKLY rules: BYDAY's weekdays as bits
   (1 << (weekday - 1), SUNDAY = 1), 0 when BYDAY is empty, -1 when the rule has anything that walk
   does not do (a BYDAY position such as 1TU, any other BY part, RSCALE). */
static inline int CICal_recur_simple_weekdays(const struct icalrecurrencetype *r) {
    if (r->rscale != NULL) return -1;
    if (r->by_second[0] != ICAL_RECURRENCE_ARRAY_MAX || r->by_minute[0] != ICAL_RECURRENCE_ARRAY_MAX ||
        r->by_hour[0] != ICAL_RECURRENCE_ARRAY_MAX || r->by_month_day[0] != ICAL_RECURRENCE_ARRAY_MAX ||
        r->by_year_day[0] != ICAL_RECURRENCE_ARRAY_MAX || r->by_week_no[0] != ICAL_RECURRENCE_ARRAY_MAX ||
        r->by_month[0] != ICAL_RECURRENCE_ARRAY_MAX || r->by_set_pos[0] != ICAL_RECURRENCE_ARRAY_MAX) return -1;
    int mask = 0;
    for (int i = 0; i < ICAL_BY_DAY_SIZE && r->by_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++) {
        if (icalrecurrencetype_day_position(r->by_day[i]) != 0) return -1;
        int day = (int)icalrecurrencetype_day_day_of_week(r->by_day[i]);
        if (day < 1 || day > 7) return -1;
        mask |= 1 << (day - 1);
    }
    return mask;
}
/* For the expander's own walk of plain MONTHLY rules: 1 when the rule's BY parts are only BYDAY,
   BYMONTHDAY and BYSETPOS (and no RSCALE), 0 otherwise. */
static inline int CICal_recur_monthly_plain(const struct icalrecurrencetype *r) {
    if (r->rscale != NULL) return 0;
    return r->by_second[0] == ICAL_RECURRENCE_ARRAY_MAX && r->by_minute[0] == ICAL_RECURRENCE_ARRAY_MAX &&
        r->by_hour[0] == ICAL_RECURRENCE_ARRAY_MAX && r->by_year_day[0] == ICAL_RECURRENCE_ARRAY_MAX &&
        r->by_week_no[0] == ICAL_RECURRENCE_ARRAY_MAX && r->by_month[0] == ICAL_RECURRENCE_ARRAY_MAX;
}
/* One BY list (0 BYDAY as libical encodes it, 1 BYMONTHDAY, 2 BYSETPOS) copied into out, at most max
   values; returns how many. */
static inline int CICal_recur_list(const struct icalrecurrencetype *r, int which, short *out, int max) {
    const short *list = which == 0 ? r->by_day : which == 1 ? r->by_month_day : r->by_set_pos;
    int size = which == 0 ? ICAL_BY_DAY_SIZE : which == 1 ? ICAL_BY_MONTHDAY_SIZE : ICAL_BY_SETPOS_SIZE;
    int n = 0;
    while (n < size && n < max && list[n] != ICAL_RECURRENCE_ARRAY_MAX) { out[n] = list[n]; n++; }
    return n;
}
#endif
