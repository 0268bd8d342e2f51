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
    /* The multi interface: many transfers on one thread (Transport's probe loop). */
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_add_handle)(CURLM *, CURL *);
    CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
    CURLMcode (*multi_perform)(CURLM *, int *);
    CURLMsg *(*multi_info_read)(CURLM *, int *);
    CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned int, int, int *);
    CURLMcode (*multi_wakeup)(CURLM *);
    CURLMcode (*multi_cleanup)(CURLM *);
    CURLMcode (*multi_setopt)(CURLM *, CURLMoption, ...);
    const char *(*multi_strerror)(CURLMcode);
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
    CCURL_SYMBOL(multi_init, "curl_multi_init")
    CCURL_SYMBOL(multi_add_handle, "curl_multi_add_handle")
    CCURL_SYMBOL(multi_remove_handle, "curl_multi_remove_handle")
    CCURL_SYMBOL(multi_perform, "curl_multi_perform")
    CCURL_SYMBOL(multi_info_read, "curl_multi_info_read")
    CCURL_SYMBOL(multi_poll, "curl_multi_poll")
    CCURL_SYMBOL(multi_wakeup, "curl_multi_wakeup")
    CCURL_SYMBOL(multi_cleanup, "curl_multi_cleanup")
    CCURL_SYMBOL(multi_setopt, "curl_multi_setopt")
    CCURL_SYMBOL(multi_strerror, "curl_multi_strerror")
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
/* The multi interface (curl_multi_poll and curl_multi_wakeup: libcurl 7.68 or later). */
static inline CURLM *CCurl_multi_init(const CCurl_api *a) { return a->multi_init(); }
static inline CURLMcode CCurl_multi_add_handle(const CCurl_api *a, CURLM *m, CURL *h) { return a->multi_add_handle(m, h); }
static inline CURLMcode CCurl_multi_remove_handle(const CCurl_api *a, CURLM *m, CURL *h) { return a->multi_remove_handle(m, h); }
static inline CURLMcode CCurl_multi_perform(const CCurl_api *a, CURLM *m, int *running) { return a->multi_perform(m, running); }
static inline CURLMsg *CCurl_multi_info_read(const CCurl_api *a, CURLM *m, int *left) { return a->multi_info_read(m, left); }
/* Sleeps until a socket of a transfer is ready, libcurl's next timer, timeout_ms, or curl_multi_wakeup. */
static inline CURLMcode CCurl_multi_poll(const CCurl_api *a, CURLM *m, int timeout_ms) { return a->multi_poll(m, NULL, 0, timeout_ms, NULL); }
static inline CURLMcode CCurl_multi_wakeup(const CCurl_api *a, CURLM *m) { return a->multi_wakeup(m); }
static inline CURLMcode CCurl_multi_cleanup(const CCurl_api *a, CURLM *m) { return a->multi_cleanup(m); }
static inline CURLMcode CCurl_multi_setopt_long(const CCurl_api *a, CURLM *m, CURLMoption o, long v) { return a->multi_setopt(m, o, v); }
static inline const char *CCurl_multi_strerror(const CCurl_api *a, CURLMcode c) { return a->multi_strerror(c); }
/* A finished transfer's message: CURLMsg's result sits in a union Swift reads awkwardly. */
static inline int CCurl_msg_is_done(const CURLMsg *m) { return m->msg == CURLMSG_DONE; }
static inline CURL *CCurl_msg_handle(const CURLMsg *m) { return m->easy_handle; }
static inline CURLcode CCurl_msg_result(const CURLMsg *m) { return m->data.result; }
/* CURLINFO_*_TIME_T: microseconds as curl_off_t (libcurl 7.61 or later). */
static inline CURLcode CCurl_getinfo_off(const CCurl_api *a, CURL *h, CURLINFO i, curl_off_t *v) { return a->easy_getinfo(h, i, v); }
/* CURLVERSION_NOW is a macro Swift cannot see. */
static inline curl_version_info_data *CCurl_version_info(const CCurl_api *a) { return a->version_info(CURLVERSION_NOW); }
#endif
