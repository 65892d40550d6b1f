// A Debian package's binary, apt-get installed where missing (root on Debian), like redis-server.
import { aptInstall, canApt, fail, which } from '../infra/common.mjs';

/** Path of `bin`, installing Debian package `pkg` first when it is missing and apt-get may be used. */
export function systemBinary(bin, pkg, hint) {
  const found = which(bin) ?? which(`/usr/bin/${bin}`) ?? which(`/usr/sbin/${bin}`);
  if (found) return found;
  if (!canApt()) fail(`${bin} not found. ${hint}`);
  aptInstall([pkg]);
  return which(bin) ?? which(`/usr/bin/${bin}`) ?? which(`/usr/sbin/${bin}`) ?? fail(`${bin} still not found after apt-get install ${pkg}`);
}
