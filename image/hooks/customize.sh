#!/bin/sh
# mmdebstrap --customize-hook: turns the Debian root into the sign's root.
# $1 = the root, $2 = the source tree, $3 = the build's work directory.
set -eu
root=$1 src=$2 work=$3
in_root() { chroot "$root" "$@"; }
export DEBIAN_FRONTEND=noninteractive

# The player, with its dependencies from the same mirror.
cp "$work/kiosk.deb" "$root/tmp/kiosk.deb"
# v4l-utils: cec-ctl, to see what a venue's TV answers over CEC
# (docs/deployment.md), and cec-follower, the emulated TV of
# image/test-qemu.sh --case cec. About 2 MB with its libraries.
in_root apt-get install -y -q --no-install-recommends /tmp/kiosk.deb v4l-utils
rm "$root/tmp/kiosk.deb"

# Our files: units, provisioning, journald/watchdog/NetworkManager settings.
cp -a "$src/image/rootfs/." "$root/"

# The config is whatever the boot partition says, at every boot: the
# package's default moves aside and /etc/kiosk/kiosk.json points into /run,
# where kiosk-provision puts the boot partition's copy (or the default).
mv "$root/etc/kiosk/kiosk.json" "$root/usr/lib/kiosk-image/kiosk.json.default"
ln -s /run/kiosk-provision/kiosk.json "$root/etc/kiosk/kiosk.json"

# Read-only root; RAM for /var and /tmp. The data partition is not here:
# kiosk-data.service mounts it (an fstab entry would make the player's
# StateDirectory= require it, and a broken partition would keep the sign
# dark). The boot partition is nofail for the same reason.
cat >"$root/etc/fstab" <<'FSTAB'
# <file system>   <mount point>    <type> <options>                                   <dump> <pass>
LABEL=KIOSKROOT   /                ext4   ro,noatime,errors=remount-ro               0 1
LABEL=KIOSKBOOT   /boot/firmware   vfat   ro,noatime,umask=0077,nofail               0 2
tmpfs             /var             tmpfs  mode=0755,nosuid,nodev,size=25%            0 0
tmpfs             /tmp             tmpfs  mode=1777,nosuid,nodev,size=10%            0 0
FSTAB

# Identity: an empty machine-id is filled from RAM at each boot (systemd
# mounts a random one over it); the hostname is set per unit by
# kiosk-provision. resolv.conf follows NetworkManager into /run.
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
echo kiosk >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
ln -sf /run/NetworkManager/resolv.conf "$root/etc/resolv.conf"

# SSH: installed, off. Host keys from the package's postinst would be the
# same on every card made from this image: removed (provisioning makes
# per-boot keys in /run when SSH is turned on).
rm -f "$root"/etc/ssh/ssh_host_*
in_root systemctl disable ssh.service >/dev/null 2>&1 || true

# Units: on what the sign needs, off or masked what it does not. No getty
# anywhere: nobody logs in at the screen (root has no password), and a
# login prompt must never be drawn over the slides or cut the serial log.
in_root systemctl enable kiosk.service kiosk-provision.service kiosk-data.service \
  kiosk-boot-report.service kiosk-field-test.service \
  systemd-timesyncd.service NetworkManager.service
in_root systemctl mask getty.target getty@tty1.service serial-getty@ttyAMA0.service \
  serial-getty@ttyS0.service apt-daily.timer apt-daily-upgrade.timer \
  dpkg-db-backup.timer e2scrub_all.timer e2scrub_reap.service fstrim.timer \
  systemd-networkd-wait-online.service NetworkManager-wait-online.service
mkdir -p "$root/etc/systemd/logind.conf.d"
printf '[Login]\nNAutoVTs=0\nReserveVT=0\n' >"$root/etc/systemd/logind.conf.d/kiosk.conf"

# Boot partition: the Pi's kernel command line. console=tty1 only; quiet
# and loglevel=3 keep kernel text off the screen; consoleblank=0 and no
# cursor for the console under the slides; video= forces the HDMI output
# on at 1080p even when the TV is off or switched to another input at boot
# (without it the connector reads "disconnected" and there is nothing to
# draw on). fsck.repair=yes: fix, don't stop, after a power cut.
cmdline="console=tty1 root=LABEL=KIOSKROOT rootfstype=ext4 ro rootwait fsck.repair=yes"
cmdline="$cmdline consoleblank=0 vt.global_cursor_default=0 quiet loglevel=3"
cmdline="$cmdline video=HDMI-A-1:1920x1080@60D"
echo "$cmdline" >"$root/boot/firmware/cmdline.txt"
# Keep the firmware from drawing its rainbow splash and make it drive HDMI
# even with no TV answering at power-on.
if [ -f "$root/boot/firmware/config.txt" ]; then
  printf '\n[all]\n# kiosk\ndisable_splash=1\nhdmi_force_hotplug=1\n' >>"$root/boot/firmware/config.txt"
fi
cp "$src/image/boot/README-KIOSK.txt" "$src/image/boot/wifi.nmconnection.example" \
  "$root/boot/firmware/"
cp "$root/usr/lib/kiosk-image/kiosk.json.default" "$root/boot/firmware/kiosk.json"

# Nothing on the card that the sign does not read: apt's caches and lists,
# documentation other than licences, manuals, translations.
rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/usr/share/man/* \
  "$root"/usr/share/info/* "$root"/usr/share/locale/*
find "$root/usr/share/doc" -type f ! -name copyright ! -path '*/doc/kiosk/*' -delete
find "$root/usr/share/doc" -type d -empty -delete

# By default (not with build-image.sh --full): only the kernel modules a Pi
# sign loads (and the QEMU test: virtio, i6300esb, vivid), and what
# they depend on. Not Mesa's LLVM: Debian 12's vc4 and v3d drivers are one
# "megadriver" library linked against libLLVM-15, so GLES on KMSDRM needs it.
if [ "${4:-}" = slim ]; then
  sh "$src/image/hooks/slim-modules.sh" "$root"
fi
