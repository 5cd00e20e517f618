/* ks_json.h - the few json-glib idioms the commands share. */
#ifndef KASIM_KS_JSON_H
#define KASIM_KS_JSON_H

#include <json-glib/json-glib.h>
#include <kasim/ka_time.h>

void ks_json_int(JsonBuilder *b, const char *key, gint64 v);
void ks_json_bool(JsonBuilder *b, const char *key, gboolean v);
/* NULL becomes JSON null. */
void ks_json_str(JsonBuilder *b, const char *key, const char *v);
/* Virtual time in seconds; KA_TIME_NEVER becomes JSON null. */
void ks_json_seconds(JsonBuilder *b, const char *key, ka_time t);
/* `v` in its shortest form that reads back as the same double (7875.004,
 * not json-glib's %.17g 7875.0039999999999), with ".0" on whole numbers. */
void ks_json_format_double(double v, char buf[G_ASCII_DTOSTR_BUF_SIZE]);
/* The document as text, every number with a fraction or an exponent in
 * that shortest form. */
char *ks_json_node_to_text(JsonNode *root, gboolean pretty);
/* The built document as pretty text (numbers as above); consumes the
 * builder. */
char *ks_json_finish(JsonBuilder *b);

#endif
