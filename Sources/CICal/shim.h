#ifndef SWITCHBOARD_CICAL_SHIM_H
#define SWITCHBOARD_CICAL_SHIM_H
#include <libical/ical.h>

/* icalerrno is a macro over a thread-local: reach it through functions. */
static inline icalerrorenum CICal_errno(void) { return icalerrno; }
static inline void CICal_clear_errno(void) { icalerror_clear_errno(); }
#endif
