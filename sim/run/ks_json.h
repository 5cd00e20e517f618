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
/* The built document as pretty text; consumes the builder. */
char *ks_json_finish(JsonBuilder *b);

#endif
