#ifndef SWITCHBOARD_CCRYPT_SHIM_H
#define SWITCHBOARD_CCRYPT_SHIM_H
#include <crypt.h>
#endif
