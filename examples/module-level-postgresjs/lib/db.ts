// The app's database client, built when the module loads.
import postgres from 'postgres';
import { env } from './env';

export const sql = postgres(env.POSTGRES_URL, { max: 4, onnotice: () => {} });
