/*
 * qtest helper: check that a QEMU configuration is refused at start-up
 * with a given message.
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef TESTS_QTEST_QSVA_REFUSED_H
#define TESTS_QTEST_QSVA_REFUSED_H

/*
 * Start q35 with @args and expect it to exit with an error whose text
 * contains @msg.  A configuration wrongly accepted would wait forever in
 * -S, so the run is bounded by timeout(1).
 */
static inline void qsva_expect_refused(const char *args, const char *msg)
{
    g_autofree gchar *cmd = NULL;
    g_autofree gchar *out = NULL;
    g_autofree gchar *err = NULL;
    gint status;

    cmd = g_strdup_printf("timeout 20 %s -machine q35 -accel tcg "
                          "-nodefaults -S -display none %s",
                          g_getenv("QTEST_QEMU_BINARY"), args);
    g_assert(g_spawn_command_line_sync(cmd, &out, &err, &status, NULL));
    g_assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (!strstr(err, msg)) {
        g_test_message("stderr: %s", err);
    }
    g_assert(strstr(err, msg));
}

#endif /* TESTS_QTEST_QSVA_REFUSED_H */
