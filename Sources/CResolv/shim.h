#ifndef SWITCHBOARD_CRESOLV_SHIM_H
#define SWITCHBOARD_CRESOLV_SHIM_H
// glibc's stub resolver (libresolv), for DNSLookup only. res_ninit and friends are macros over
// __res_* symbols, the ns_msg accessors are macros, and the name-server list of a res_state has
// a private IPv6 side: typed CResolv_ wrappers hide all three from Swift.
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <resolv.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * One resolver state per lookup (res_ninit reads /etc/resolv.conf and RES_OPTIONS), so lookups
 * on several threads never share one. NULL when it cannot be made (out of memory); *error is
 * then errno.
 */
static inline res_state CResolv_state_new(int *error) {
    res_state state = calloc(1, sizeof(struct __res_state));
    if (state == NULL) { *error = errno; return NULL; }
    if (res_ninit(state) != 0) {
        *error = errno;
        free(state);
        return NULL;
    }
    return state;
}

/* Closes the state's sockets, frees its IPv6 server addresses and the state itself. */
static inline void CResolv_state_free(res_state state) {
    res_nclose(state);
    free(state);
}

/*
 * Seconds per try and tries per server. A reply cut short over UDP (TC) is always asked again
 * over TCP (RES_IGNTC off, whatever resolv.conf says).
 *
 * pfcode stays 0: with it set (dig's way of seeing a REFUSED or SERVFAIL reply), glibc 2.36's
 * send_dg loops forever on a NOERROR reply with no answer and no AA or RA bit (a referral
 * without glue, a lame server). So a server that answers REFUSED, SERVFAIL or NOTIMP makes
 * res_nsend fail at once with ETIMEDOUT, and the caller tells that from a real timeout by how
 * long it took.
 */
static inline void CResolv_set_tries(res_state state, int seconds, int tries) {
    state->retrans = seconds;
    state->retry = tries;
    state->options &= ~(unsigned long)RES_IGNTC;
    state->pfcode = 0;
}

/*
 * Makes ADDRESS (a sockaddr_in or sockaddr_in6 of LENGTH bytes) the state's one name server,
 * in place of resolv.conf's. IPv4 servers live in nsaddr_list; an IPv6 one in the extension
 * array _u._ext.nsaddrs (heap memory that res_nclose frees), with nsaddr_list's family 0.
 * Returns 0, or -1 with errno (EAFNOSUPPORT, ENOMEM).
 */
static inline int CResolv_set_server(res_state state, const struct sockaddr *address, socklen_t length) {
    for (int i = 0; i < MAXNS; i++) {
        free(state->_u._ext.nsaddrs[i]);
        state->_u._ext.nsaddrs[i] = NULL;
    }
    memset(&state->nsaddr_list[0], 0, sizeof(state->nsaddr_list[0]));
    if (address->sa_family == AF_INET && length >= sizeof(struct sockaddr_in)) {
        memcpy(&state->nsaddr_list[0], address, sizeof(struct sockaddr_in));
    } else if (address->sa_family == AF_INET6 && length >= sizeof(struct sockaddr_in6)) {
        struct sockaddr_in6 *copy = malloc(sizeof(struct sockaddr_in6));
        if (copy == NULL) { errno = ENOMEM; return -1; }
        memcpy(copy, address, sizeof(struct sockaddr_in6));
        state->_u._ext.nsaddrs[0] = copy;
    } else {
        errno = EAFNOSUPPORT;
        return -1;
    }
    /* No socket is open right after res_ninit; -1 tells res_nclose there is none to close. */
    state->_u._ext.nssocks[0] = -1;
    state->nscount = 1;
    return 0;
}

/* How many name servers the state asks. */
static inline int CResolv_server_count(res_state state) { return state->nscount; }

/*
 * Name server INDEX as "ADDRESS" and its port, for messages: 0, or -1 when there is none.
 * TEXT holds at least INET6_ADDRSTRLEN bytes.
 */
static inline int CResolv_server_text(res_state state, int index, char *text, socklen_t size, int *port) {
    if (index < 0 || index >= state->nscount || index >= MAXNS) return -1;
    const struct sockaddr_in6 *v6 = state->_u._ext.nsaddrs[index];
    if (state->nsaddr_list[index].sin_family == 0 && v6 != NULL) {
        *port = ntohs(v6->sin6_port);
        return inet_ntop(AF_INET6, &v6->sin6_addr, text, size) == NULL ? -1 : 0;
    }
    const struct sockaddr_in *v4 = &state->nsaddr_list[index];
    if (v4->sin_family != AF_INET) return -1;
    *port = ntohs(v4->sin_port);
    return inet_ntop(AF_INET, &v4->sin_addr, text, size) == NULL ? -1 : 0;
}

/*
 * Asks NAME (presentation form) for TYPE in class IN: res_nmkquery + res_nsend (res_nquery
 * without its folding of rcodes into h_errno, where SERVFAIL and a timeout both read TRY_AGAIN).
 * Returns the reply's length in ANSWER, or:
 *   -2  the name cannot be put in a query (too long, bad label);
 *   -1  no reply, errno saying why (ETIMEDOUT: none in time; ECONNREFUSED: nothing listens).
 */
static inline int CResolv_query(res_state state, const char *name, int type, unsigned char *answer, int size) {
    unsigned char query[NS_PACKETSZ];
    int length = res_nmkquery(state, ns_o_query, name, ns_c_in, type, NULL, 0, NULL, query, sizeof(query));
    if (length < 0) return -2;
    errno = 0;
    int replied = res_nsend(state, query, length, answer, size);
    if (replied < 0 && errno == 0) errno = ETIMEDOUT;
    return replied;
}

/* ns_initparse: 0, or -1 when the message's header or record counts do not fit its length. */
static inline int CResolv_parse(const unsigned char *message, int length, ns_msg *handle) {
    return ns_initparse(message, length, handle);
}

/* A header flag or field of a parsed message (ns_f_qr, ns_f_tc, ns_f_rcode, ...). */
static inline int CResolv_flag(const ns_msg *handle, ns_flag flag) { return ns_msg_getflag(*handle, flag); }

/* How many records SECTION holds. */
static inline int CResolv_count(const ns_msg *handle, ns_sect section) { return ns_msg_count(*handle, section); }

/* Record INDEX of SECTION: 0, or -1 when it runs past the message or its name is malformed. */
static inline int CResolv_record(ns_msg *handle, ns_sect section, int index, ns_rr *record) {
    return ns_parserr(handle, section, index, record);
}

/* The record's type, class and data (ns_rr's accessors are macros). */
static inline int CResolv_rr_type(const ns_rr *record) { return ns_rr_type(*record); }
static inline int CResolv_rr_class(const ns_rr *record) { return ns_rr_class(*record); }
static inline int CResolv_rr_length(const ns_rr *record) { return ns_rr_rdlen(*record); }
static inline const unsigned char *CResolv_rr_data(const ns_rr *record) { return ns_rr_rdata(*record); }

/*
 * The (possibly compressed) name at NAME inside the message [MESSAGE, END), in presentation
 * form into TEXT: the bytes it takes at NAME, or -1 when it runs past the end, loops or points
 * outside the message. TEXT holds NS_MAXDNAME bytes.
 */
static inline int CResolv_name(const unsigned char *message, const unsigned char *end, const unsigned char *name,
                               char *text, size_t size) {
    return ns_name_uncompress(message, end, name, text, size);
}

/* The bounds of a parsed message, for CResolv_name. */
static inline const unsigned char *CResolv_message_start(const ns_msg *handle) { return ns_msg_base(*handle); }
static inline const unsigned char *CResolv_message_end(const ns_msg *handle) { return ns_msg_end(*handle); }
#endif
