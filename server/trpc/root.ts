import { authRouter } from './routers/auth';
import { checkinRouter } from './routers/checkin';
import { consentRouter } from './routers/consent';
import { router } from './init';

export const appRouter = router({
  auth: authRouter,
  checkin: checkinRouter,
  consent: consentRouter,
});

export type AppRouter = typeof appRouter;
