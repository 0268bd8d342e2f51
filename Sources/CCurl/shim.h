#ifndef SWITCHBOARD_CCURL_SHIM_H
#define SWITCHBOARD_CCURL_SHIM_H
#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic: Swift needs one typed wrapper per argument type. */
static inline CURLcode CCurl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode CCurl_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode CCurl_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode CCurl_setopt_ptr(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode CCurl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
typedef size_t (*CCurl_io_callback)(char *, size_t, size_t, void *);
static inline CURLcode CCurl_setopt_io(CURL *h, CURLoption o, CCurl_io_callback v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode CCurl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode CCurl_getinfo_double(CURL *h, CURLINFO i, double *v) { return curl_easy_getinfo(h, i, v); }
/* CURLINFO_CERTINFO (with CURLOPT_CERTINFO set): one list of "Name:value" lines per certificate, the server's first. */
static inline CURLcode CCurl_getinfo_certinfo(CURL *h, struct curl_certinfo **v) { return curl_easy_getinfo(h, CURLINFO_CERTINFO, v); }
/* CURLOPT_DEBUGFUNCTION: the one callback that sees both directions (commands out, replies in) in order. */
typedef int (*CCurl_debug_callback)(CURL *, curl_infotype, char *, size_t, void *);
static inline CURLcode CCurl_setopt_debug(CURL *h, CURLoption o, CCurl_debug_callback v) { return curl_easy_setopt(h, o, v); }
/* libcurl 7.69-8.1 spell it ALLLOWFAILS; 8.2 renamed it (keeping the old name as an alias). */
#if LIBCURL_VERSION_NUM >= 0x080200
static const CURLoption CCurl_OPT_MAIL_RCPT_ALLOWFAILS = CURLOPT_MAIL_RCPT_ALLOWFAILS;
#else
static const CURLoption CCurl_OPT_MAIL_RCPT_ALLOWFAILS = CURLOPT_MAIL_RCPT_ALLLOWFAILS;
#endif
/* CURLVERSION_NOW is a macro Swift cannot see. */
static inline curl_version_info_data *CCurl_version_info(void) { return curl_version_info(CURLVERSION_NOW); }
#endif
