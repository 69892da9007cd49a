# Stampede — the two commands of the quick start, and the steps they share.
#
#   make demo    install what is missing, build, launch the presentation
#   make check   install what is missing, build, run the whole test suite
#
# Both work on a fresh Debian 12 machine with nothing else done first.

BUILDDIR ?= _build
MESON_OPTS ?=
SCREEN ?= 1920x1080x24
DEMO_SUMMARY ?= $(BUILDDIR)/demo-summary.json

.PHONY: all deps configure build check demo clean

all: build

deps:
	@./build-aux/install-deps.sh

$(BUILDDIR)/build.ninja:
	meson setup $(BUILDDIR) $(MESON_OPTS)

configure: deps $(BUILDDIR)/build.ninja

build: configure
	meson compile -C $(BUILDDIR)

# The GUI tests need an X display and a session bus; CI has neither, so
# give them a virtual display and a private bus when there is none.
check: build
	@if [ -n "$$DISPLAY" ]; then \
	  dbus-run-session -- meson test -C $(BUILDDIR) --print-errorlogs; \
	else \
	  xvfb-run -a -s "-screen 0 $(SCREEN)" \
	    dbus-run-session -- meson test -C $(BUILDDIR) --print-errorlogs; \
	fi

demo: build
	@if [ -n "$$DISPLAY" ] || [ -n "$$WAYLAND_DISPLAY" ]; then \
	  ./$(BUILDDIR)/src/app/stampede --present; \
	else \
	  echo "No display here (neither DISPLAY nor WAYLAND_DISPLAY is set):"; \
	  echo "running the investor scenario headless with stampede-cli."; \
	  ./$(BUILDDIR)/src/cli/stampede-cli run investor \
	    --json $(DEMO_SUMMARY); \
	  echo "The demo's summary is in $(DEMO_SUMMARY)"; \
	fi

clean:
	rm -rf $(BUILDDIR)
