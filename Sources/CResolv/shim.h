#ifndef SWITCHBOARD_CRESOLV_SHIM_H
#define SWITCHBOARD_CRESOLV_SHIM_H
// glibc's stub resolver. res_nquery, ns_initparse and the ns_rr accessors are macros or
// inline in places; typed CResolv_ wrappers go here (filled in with DNSLookup).
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/nameser.h>
#include <resolv.h>
#endif
