# SPDX-License-Identifier: MIT
# backend/config.mk - YAML, kubeconfig, the platform definition, paths, conventions

backend_libbackend_a_SOURCES += backend/conventions.c
backend_libbackend_a_SOURCES += backend/kubeconfig.c
backend_libbackend_a_SOURCES += backend/paths.c
backend_libbackend_a_SOURCES += backend/platform.c
backend_libbackend_a_SOURCES += backend/yamltree.c

check_PROGRAMS += tests/unit/test-conventions
tests_unit_test_conventions_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_conventions_LDADD = $(UNIT_LIBS)
tests_unit_test_conventions_SOURCES = tests/unit/test-conventions.c tests/unit/testlib.h
TESTS += tests/unit/test-conventions

check_PROGRAMS += tests/unit/test-kubeconfig
tests_unit_test_kubeconfig_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_kubeconfig_LDADD = $(UNIT_LIBS)
tests_unit_test_kubeconfig_SOURCES = tests/unit/test-kubeconfig.c tests/unit/testlib.h
TESTS += tests/unit/test-kubeconfig

check_PROGRAMS += tests/unit/test-paths
tests_unit_test_paths_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_paths_LDADD = $(UNIT_LIBS)
tests_unit_test_paths_SOURCES = tests/unit/test-paths.c tests/unit/testlib.h
TESTS += tests/unit/test-paths

check_PROGRAMS += tests/unit/test-platform
tests_unit_test_platform_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_platform_LDADD = $(UNIT_LIBS)
tests_unit_test_platform_SOURCES = tests/unit/test-platform.c tests/unit/testlib.h
TESTS += tests/unit/test-platform

check_PROGRAMS += tests/unit/test-yaml
tests_unit_test_yaml_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_yaml_LDADD = $(UNIT_LIBS)
tests_unit_test_yaml_SOURCES = tests/unit/test-yaml.c tests/unit/testlib.h
TESTS += tests/unit/test-yaml



# Headers of these modules (the contracts; listed for make dist).
backend_libbackend_a_SOURCES += \
    include/opsdeck/conventions.h \
    include/opsdeck/kubeconfig.h \
    include/opsdeck/paths.h \
    include/opsdeck/platform.h \
    include/opsdeck/yamltree.h
