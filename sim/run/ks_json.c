/* ks_json.c - shared json-glib idioms. */
#include "ks_json.h"

void ks_json_int(JsonBuilder *b, const char *key, gint64 v) {
  json_builder_set_member_name(b, key);
  json_builder_add_int_value(b, v);
}

void ks_json_bool(JsonBuilder *b, const char *key, gboolean v) {
  json_builder_set_member_name(b, key);
  json_builder_add_boolean_value(b, v);
}

void ks_json_str(JsonBuilder *b, const char *key, const char *v) {
  json_builder_set_member_name(b, key);
  if (v)
    json_builder_add_string_value(b, v);
  else
    json_builder_add_null_value(b);
}

void ks_json_seconds(JsonBuilder *b, const char *key, ka_time t) {
  json_builder_set_member_name(b, key);
  if (t == KA_TIME_NEVER)
    json_builder_add_null_value(b);
  else
    json_builder_add_double_value(b, (double)t / 1e9);
}

char *ks_json_finish(JsonBuilder *b) {
  JsonNode *root = json_builder_get_root(b);
  JsonGenerator *gen = json_generator_new();
  json_generator_set_pretty(gen, TRUE);
  json_generator_set_root(gen, root);
  char *text = json_generator_to_data(gen, NULL);
  g_object_unref(gen);
  json_node_unref(root);
  g_object_unref(b);
  return text;
}
