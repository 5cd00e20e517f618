/* ka.h - the whole kasim keep-alive model. */
#ifndef KASIM_KA_H
#define KASIM_KA_H

#include "ka_conn.h"
#include "ka_error.h"
#include "ka_jiffies.h"
#include "ka_options.h"
#include "ka_params.h"
#include "ka_profile.h"
#include "ka_reg.h"
#include "ka_sock.h"
#include "ka_time.h"

#endif
