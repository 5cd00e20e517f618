/* fuzz_replay.c - runs a fuzz harness of fuzz/ (linked in) on files, as
 * the suite's regression test: every input a fuzzer found (fuzz/
 * regressions/H/) and the seeds it starts from, each one TAP case, with
 * the harness's own checks (it traps on a broken contract) and, in CI's
 * sanitized build, ASan and UBSan.
 *
 *   fuzz_replay_H DIR|FILE... [--each-profile DIR|FILE...]
 *
 * --each-profile: the harness's first byte picks a profile (fuzz_reg), so
 * each file after it (test data, which lacks that byte) is run once per
 * value 0 to 8 in front of it; the files before it (what the fuzzer
 * wrote, byte included) are run as they are. */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static guint cases;

static gint by_name(gconstpointer a, gconstpointer b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct input {
  char *path;
  gboolean each_profile;
} input;

static void run_file(const char *path, gboolean each_profile) {
  gchar *data = NULL;
  gsize len = 0;
  GError *error = NULL;
  if (!g_file_get_contents(path, &data, &len, &error)) {
    printf("not ok %u - %s: %s\n", ++cases, path, error->message);
    g_error_free(error);
    return;
  }
  for (int p = 0; p < (each_profile ? 9 : 1); p++) {
    if (each_profile) {
      guint8 *buf = g_malloc(len + 1);
      buf[0] = (guint8)p;
      memcpy(buf + 1, data, len);
      LLVMFuzzerTestOneInput(buf, len + 1);
      g_free(buf);
    } else {
      LLVMFuzzerTestOneInput((const uint8_t *)data, len);
    }
  }
  printf("ok %u - %s\n", ++cases, path);
  g_free(data);
}

int main(int argc, char **argv) {
  gboolean each_profile = FALSE;
  GArray *files = g_array_new(FALSE, FALSE, sizeof(input));
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--each-profile") == 0) {
      each_profile = TRUE;
      continue;
    }
    if (!g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
      input in = {g_strdup(argv[i]), each_profile};
      g_array_append_val(files, in);
      continue;
    }
    GDir *dir = g_dir_open(argv[i], 0, NULL);
    const char *name;
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    while (dir && (name = g_dir_read_name(dir)) != NULL)
      if (name[0] != '.') {
        char *path = g_build_filename(argv[i], name, NULL);
        if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
          g_ptr_array_add(names, path);
        else
          g_free(path);
      }
    if (dir)
      g_dir_close(dir);
    g_ptr_array_sort(names, by_name);
    for (guint k = 0; k < names->len; k++) {
      input in = {g_strdup(names->pdata[k]), each_profile};
      g_array_append_val(files, in);
    }
    g_ptr_array_unref(names);
  }
  printf("1..%u\n", files->len);
  for (guint i = 0; i < files->len; i++) {
    input *in = &g_array_index(files, input, i);
    run_file(in->path, in->each_profile);
    g_free(in->path);
  }
  g_array_unref(files);
  return 0;
}
