#ifndef SWITCHBOARD_CCURL_SHIM_H
#define SWITCHBOARD_CCURL_SHIM_H
#include <curl/curl.h>
#include <dlfcn.h>
#include <stddef.h>

/*
 * libcurl is opened on first use (dlopen), not linked: a tool that never talks to a server (an
 * agenda, a directory listing) does not pay for loading libcurl and the thirty libraries it pulls
 * in (TLS, Kerberos, LDAP, SSH, IDN: about 3.5 ms of every start on this machine kind). Transport
 * loads it once (CurlGlobal) and passes the table to every shim below; the headers give only the
 * types and constants.
 */
typedef struct CCurl_api {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    CURLcode (*easy_perform)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    curl_version_info_data *(*version_info)(CURLversion);
} CCurl_api;

/* Fills *api from libcurl's shared library; NULL when done, else what the loader said. */
static inline const char *CCurl_load(CCurl_api *api) {
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) return dlerror();
#define CCURL_SYMBOL(field, name) \
    if ((*(void **)&api->field = dlsym(library, name)) == NULL) return dlerror();
    CCURL_SYMBOL(global_init, "curl_global_init")
    CCURL_SYMBOL(easy_init, "curl_easy_init")
    CCURL_SYMBOL(easy_cleanup, "curl_easy_cleanup")
    CCURL_SYMBOL(easy_perform, "curl_easy_perform")
    CCURL_SYMBOL(easy_strerror, "curl_easy_strerror")
    CCURL_SYMBOL(easy_setopt, "curl_easy_setopt")
    CCURL_SYMBOL(easy_getinfo, "curl_easy_getinfo")
    CCURL_SYMBOL(slist_append, "curl_slist_append")
    CCURL_SYMBOL(slist_free_all, "curl_slist_free_all")
    CCURL_SYMBOL(version_info, "curl_version_info")
#undef CCURL_SYMBOL
    return NULL;
}

static inline CURLcode CCurl_global_init(const CCurl_api *a) { return a->global_init(CURL_GLOBAL_DEFAULT); }
static inline CURL *CCurl_easy_init(const CCurl_api *a) { return a->easy_init(); }
static inline void CCurl_easy_cleanup(const CCurl_api *a, CURL *h) { a->easy_cleanup(h); }
static inline CURLcode CCurl_easy_perform(const CCurl_api *a, CURL *h) { return a->easy_perform(h); }
static inline const char *CCurl_easy_strerror(const CCurl_api *a, CURLcode c) { return a->easy_strerror(c); }
static inline struct curl_slist *CCurl_slist_append(const CCurl_api *a, struct curl_slist *l, const char *s) { return a->slist_append(l, s); }
static inline void CCurl_slist_free_all(const CCurl_api *a, struct curl_slist *l) { a->slist_free_all(l); }

/* curl_easy_setopt and curl_easy_getinfo are variadic: Swift needs one typed wrapper per argument type. */
static inline CURLcode CCurl_setopt_long(const CCurl_api *a, CURL *h, CURLoption o, long v) { return a->easy_setopt(h, o, v); }
static inline CURLcode CCurl_setopt_off(const CCurl_api *a, CURL *h, CURLoption o, curl_off_t v) { return a->easy_setopt(h, o, v); }
static inline CURLcode CCurl_setopt_string(const CCurl_api *a, CURL *h, CURLoption o, const char *v) { return a->easy_setopt(h, o, v); }
static inline CURLcode CCurl_setopt_ptr(const CCurl_api *a, CURL *h, CURLoption o, void *v) { return a->easy_setopt(h, o, v); }
static inline CURLcode CCurl_setopt_slist(const CCurl_api *a, CURL *h, CURLoption o, struct curl_slist *v) { return a->easy_setopt(h, o, v); }
typedef size_t (*CCurl_io_callback)(char *, size_t, size_t, void *);
static inline CURLcode CCurl_setopt_io(const CCurl_api *a, CURL *h, CURLoption o, CCurl_io_callback v) { return a->easy_setopt(h, o, v); }
static inline CURLcode CCurl_getinfo_long(const CCurl_api *a, CURL *h, CURLINFO i, long *v) { return a->easy_getinfo(h, i, v); }
static inline CURLcode CCurl_getinfo_double(const CCurl_api *a, CURL *h, CURLINFO i, double *v) { return a->easy_getinfo(h, i, v); }
/* CURLINFO_CERTINFO (with CURLOPT_CERTINFO set): one list of "Name:value" lines per certificate, the server's first. */
static inline CURLcode CCurl_getinfo_certinfo(const CCurl_api *a, CURL *h, struct curl_certinfo **v) { return a->easy_getinfo(h, CURLINFO_CERTINFO, v); }
/* CURLOPT_DEBUGFUNCTION: the one callback that sees both directions (commands out, replies in) in order. */
typedef int (*CCurl_debug_callback)(CURL *, curl_infotype, char *, size_t, void *);
static inline CURLcode CCurl_setopt_debug(const CCurl_api *a, CURL *h, CURLoption o, CCurl_debug_callback v) { return a->easy_setopt(h, o, v); }
/* libcurl 7.69-8.1 spell it ALLLOWFAILS; 8.2 renamed it (keeping the old name as an alias). */
#if LIBCURL_VERSION_NUM >= 0x080200
static const CURLoption CCurl_OPT_MAIL_RCPT_ALLOWFAILS = CURLOPT_MAIL_RCPT_ALLOWFAILS;
#else
static const CURLoption CCurl_OPT_MAIL_RCPT_ALLOWFAILS = CURLOPT_MAIL_RCPT_ALLLOWFAILS;
#endif
/* CURLVERSION_NOW is a macro Swift cannot see. */
static inline curl_version_info_data *CCurl_version_info(const CCurl_api *a) { return a->version_info(CURLVERSION_NOW); }
#endif
