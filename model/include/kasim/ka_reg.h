/* ka_reg.h - reading a Windows registry export (.reg) into ka_params.
 *
 * Both formats regedit writes are accepted: "Windows Registry Editor Version
 * 5.00" (UTF-16LE with BOM and CRLF, as regedit saves it, or plain 8-bit
 * text) and "REGEDIT4" (ANSI).  Only the values under
 * HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters that
 * the profile knows are applied; everything else is ignored with a note.  A
 * malformed line is an error naming the file and line.
 *
 * The caller reads the file: the model does no I/O.
 */
#ifndef KASIM_KA_REG_H
#define KASIM_KA_REG_H

#include <glib.h>
#include <stdbool.h>

#include "ka_params.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KA_REG_ERROR (ka_reg_error_quark())
GQuark ka_reg_error_quark(void);

typedef enum ka_reg_error {
  KA_REG_ERROR_ENCODING, /* bad UTF-16, odd length after the BOM */
  KA_REG_ERROR_HEADER,   /* first line is not a known header */
  KA_REG_ERROR_SYNTAX,   /* a malformed line */
  KA_REG_ERROR_VALUE,    /* a known value of the wrong type or range */
  KA_REG_ERROR_PROFILE   /* the profile is not a Windows one */
} ka_reg_error;

/* Applies the export in data[0..len) to params.  `filename` is used only in
 * messages, which read "FILE:LINE: problem".  Each ignored value or key adds
 * one message to `notes` (a GPtrArray of char*, owned by the caller; may be
 * NULL).  On error params is left unchanged. */
bool ka_reg_apply(ka_params *params, const char *filename, const guint8 *data, gsize len,
                  GPtrArray *notes, GError **error);

#ifdef __cplusplus
}
#endif
#endif
