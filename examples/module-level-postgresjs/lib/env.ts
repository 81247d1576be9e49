// The app's env module, validated once when it is imported (as t3-env does).
const url = process.env.POSTGRES_URL;
if (!url || !/^postgres(ql)?:\/\//.test(url))
  throw new Error(`Invalid environment variables: POSTGRES_URL must be a postgres:// URL, got ${JSON.stringify(url)}`);

export const env = Object.freeze({ POSTGRES_URL: url });
